// One argument schema per contract channel. The mapped type makes a missing channel a compile error.
import type { Channel } from '../../src-preload/api'
import {
  array,
  basename,
  bool,
  int,
  literal,
  nullable,
  object,
  optional,
  record,
  str,
  tuple,
  type Check,
} from './validate'

const namespace = str({ min: 1, max: 76 })
const name = str({ min: 1, max: 8192 })
const digest = str({ min: 1, max: 200 })
const path = str({ min: 1, max: 4096 })
const iso = str({ min: 1, max: 40, pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ })
const platforms = optional(array(str({ min: 1, max: 200 }), 64))
const labelChanges = record(nullable(str({ max: 8192 })))
const ref = str({ min: 1, max: 4096 })
const insecure = optional(bool)
const host = str({ min: 1, max: 255 })
const allPlatforms = literal('all')
/** A list of platforms, or 'all'. */
const pullPlatforms: Check<string[] | 'all' | undefined> = (v, p) =>
  v === 'all' ? allPlatforms(v, p) : platforms(v, p)
/** Files: a stacked tree is named by the chain ID of its layers. */
const tree = str({ min: 1, max: 200 })
const imagePath = str({ min: 1, max: 4096 })
const layer = optional(int(0, 100_000))
const filesPage = { offset: optional(int(0)), limit: optional(int(0, 5000)) }
const filesRef = object({
  namespace,
  name,
  manifest: optional(digest),
  platform: optional(str({ min: 1, max: 200 })),
})
const fileFilters = optional(
  array(object({ name: str({ max: 200 }), extensions: array(str({ max: 20 }), 20) }), 20),
)

const sourceId = str({ min: 1, max: 100 })
/** A socket path or unix:// address; parsed (and refused by name) by the service. */
const address = str({ min: 1, max: 4096 })
const copyEnd = object({ source: sourceId, namespace })

export const SCHEMAS: { [C in Channel]: Check<unknown[]> } = {
  'app.info': tuple(),
  'namespaces.list': tuple(),
  'images.list': tuple(
    object({
      namespace,
      filter: optional(str({ max: 4096 })),
      query: optional(str({ max: 1024 })),
      sort: optional(
        object({
          key: literal('name', 'tag', 'kind', 'platforms', 'size', 'unique', 'updated', 'created'),
          direction: literal('asc', 'desc'),
        }),
      ),
      offset: optional(int(0)),
      limit: optional(int(0, 100_000)),
    }),
  ),
  'images.details': tuple(object({ namespace, name })),
  'images.blob': tuple(object({ namespace, digest })),
  'images.setLabels': tuple(object({ namespace, name, changes: labelChanges, expectedUpdatedAt: iso })),
  'images.tag': tuple(object({ namespace, source: name, target: name, force: optional(bool) })),
  'images.removePreview': tuple(object({ namespace, names: array(name, 100_000) })),
  'images.remove': tuple(object({ namespace, names: array(name, 100_000) })),
  'images.import': tuple(object({ namespace, path, platforms })),
  'images.export': tuple(object({ namespace, names: array(name, 100_000), path, platforms })),
  'images.pull': tuple(object({ namespace, ref, platforms: pullPlatforms, insecure })),
  'images.push': tuple(object({ namespace, name, ref: optional(ref), platforms, insecure })),
  'registry.inspect': tuple(object({ ref, insecure })),
  'registry.logins.list': tuple(),
  'registry.login': tuple(
    object({ host, username: str({ min: 1, max: 1024 }), secret: str({ min: 1, max: 16384 }), insecure }),
  ),
  'registry.logout': tuple(object({ host })),
  'jobs.cancel': tuple(object({ id: str({ min: 1, max: 100 }) })),
  'content.list': tuple(
    object({
      namespace,
      filter: optional(str({ max: 4096 })),
      query: optional(str({ max: 1024 })),
      offset: optional(int(0)),
      limit: optional(int(0, 100_000)),
    }),
  ),
  'content.setLabels': tuple(
    object({ namespace, digest, changes: labelChanges, expectedUpdatedAt: optional(iso) }),
  ),
  'gc.preview': tuple(),
  'gc.run': tuple(),
  'dialogs.openFile': tuple(object({ title: optional(str({ max: 200 })), filters: fileFilters })),
  'dialogs.saveFile': tuple(
    object({
      title: optional(str({ max: 200 })),
      defaultName: optional(basename(255)),
      filters: fileFilters,
    }),
  ),
  'sources.list': tuple(),
  'sources.add': tuple(object({ address, namespace, name: optional(str({ max: 200 })) })),
  'sources.remove': tuple(object({ id: sourceId })),
  'sources.switch': tuple(object({ id: sourceId })),
  'sources.daemon': tuple(object({ address })),
  'images.copy': tuple(object({ from: copyEnd, to: copyEnd, names: array(name, 10_000), platforms })),
  'files.layers': tuple(filesRef),
  'files.index': tuple(filesRef),
  'files.list': tuple(
    object({ namespace, tree, dir: imagePath, layer, onlyChanges: optional(bool), ...filesPage }),
  ),
  'files.search': tuple(
    object({
      namespace,
      tree,
      pattern: str({ min: 1, max: 1024 }),
      mode: literal('glob', 'regex'),
      ...filesPage,
    }),
  ),
  'files.wasted': tuple(object({ namespace, tree, limit: optional(int(0, 10_000)) })),
  'files.stat': tuple(object({ namespace, tree, path: imagePath, layer })),
  'files.read': tuple(object({ namespace, tree, path: imagePath, layer })),
  // `path` is where to write: main accepts only a path its own save dialog granted.
  'files.save': tuple(object({ namespace, tree, entry: imagePath, layer, path })),
  'files.compare': tuple(
    object({
      namespace,
      a: tree,
      b: tree,
      change: optional(literal('added', 'removed', 'changed')),
      ...filesPage,
    }),
  ),
}
