// The image and content channels over a containerd source. Reads are the service's own use cases over
// the source's mirror, after a sync; writes go to the daemon — labels through Images.Update with
// `labels.KEY` fieldpaths, tags through Create/Update, deletes through Delete with the daemon's
// synchronous GC, content labels through Content.Update — and the daemon's answer goes into the mirror.
import { listImages as daemonImages, getImage } from '../../core/containerd/images'
import { alreadyExists, isKind, notImplemented } from '../../core/errors'
import { parseAll } from '../../core/filters'
import type { Image } from '../../core/images/store'
import { validateNamespace } from '../../core/namespace'
import type { Channel, ImagePage, ListImagesRequest, NamespaceInfo } from '../../../src-preload/api'
import { listContent, setContentLabels } from '../content'
import { filterErrorOf } from '../filter-error'
import { blobJson, imageDetails } from '../image-details'
import { imageSummary, listImages } from '../images-list'
import { checkUnchanged } from '../labels'
import { refreshSummaries } from '../summaries'
import type { Handlers } from '../index'
import { listNamespaces } from '../../core/containerd/daemon'
import type { ContainerdSource } from './containerd-source'
import { remove, setLabels, tag } from './daemon-writes'
import { FILES_CHANNELS, filesChannels, type StartJob } from '../files-channels'

/** The channels whose answer depends on which source is active. */
export const SOURCE_CHANNELS = [
  'namespaces.list',
  'images.list',
  'images.details',
  'images.blob',
  'images.setLabels',
  'images.tag',
  'images.removePreview',
  'images.remove',
  'images.import',
  'images.export',
  'images.pull',
  'images.push',
  'content.list',
  'content.setLabels',
  'gc.preview',
  'gc.run',
  ...FILES_CHANNELS,
] as const satisfies readonly Channel[]

export type SourceChannel = (typeof SOURCE_CHANNELS)[number]
export type SourceHandlers = Pick<Handlers, SourceChannel>

const elsewhere = (what: string) => async (): Promise<never> => {
  throw notImplemented(
    `${what} works on Berth's own store: switch to it, then copy the image to containerd (Copy to…)`,
  )
}

export function containerdHandlers(src: ContainerdSource, job: StartJob): SourceHandlers {
  const { ctx, conn } = src
  return {
    // Files read the layers through the daemon's Content service and index them in the mirror.
    ...filesChannels(ctx, job, (ns) => src.fresh(validateNamespace(ns))),
    'namespaces.list': () => namespaces(src),
    'images.list': async (req) => {
      const ns = validateNamespace(req.namespace)
      await src.fresh(ns)
      return filtered(src, ns, req)
    },
    'images.details': async (req, signal) => {
      await src.fresh(req.namespace)
      return imageDetails(ctx, req.namespace, req.name, { signal })
    },
    'images.blob': async (req) => {
      await src.fresh(req.namespace)
      return blobJson(ctx, req.namespace, req.digest)
    },
    'images.setLabels': async (req) => {
      const ns = validateNamespace(req.namespace)
      const stored = await getImage(conn, ns, req.name)
      checkUnchanged(req, stored.updatedAt)
      await setLabels(src, ns, req.name, req.changes, { current: stored })
      return imageSummary(ctx, ns, req.name)
    },
    'images.tag': async (req) => {
      try {
        const [image] = await tag(src, req.namespace, req.source, [req.target], { force: req.force })
        return imageSummary(ctx, req.namespace, image.name)
      } catch (e) {
        if (isKind(e, 'already-exists'))
          throw alreadyExists(`${(e as Error).message}: choose Replace to overwrite it`, e)
        throw e
      }
    },
    'images.removePreview': async (req) => {
      const ns = validateNamespace(req.namespace)
      await src.fresh(ns)
      for (const n of req.names) ctx.images.get(ns, n)
      await refreshSummaries(ctx, ns)
      return { names: req.names, ...reclaimable(src, ns, req.names) }
    },
    'images.remove': async (req) => {
      const ns = validateNamespace(req.namespace)
      for (const n of req.names) ctx.images.get(ns, n)
      const r = await remove(src, ns, req.names, { sync: true })
      return { removed: r.removed, reclaimedBytes: r.freed?.bytes ?? 0, blobs: r.freed?.blobs ?? 0 }
    },
    'images.import': elsewhere('Importing an archive'),
    'images.export': elsewhere('Exporting an archive'),
    'images.pull': elsewhere('Pulling from a registry'),
    'images.push': elsewhere('Pushing to a registry'),
    'content.list': async (req) => {
      await src.fresh(req.namespace, { content: 'always' })
      return listContent(ctx, req)
    },
    'content.setLabels': async (req) => {
      await src.fresh(req.namespace, { content: 'always' })
      return setContentLabels(ctx, req)
    },
    'gc.preview': async () => {
      throw notImplemented(
        `containerd at ${src.address} collects its own garbage: deleting an image there collects at once`,
      )
    },
    'gc.run': async () => {
      throw notImplemented(
        `containerd at ${src.address} collects its own garbage: deleting an image there collects at once`,
      )
    },
  }
}

/**
 * A filter goes to the daemon's List, so what matches is what containerd says matches; the page (sort,
 * quick search, sizes) is then read from the mirror for those names. A filter Berth cannot parse is
 * reported with its position, as on Berth's own store, before the daemon is asked.
 */
export async function filtered(
  src: ContainerdSource,
  ns: string,
  req: ListImagesRequest,
): Promise<ImagePage> {
  const filter = (req.filter ?? '').trim()
  if (filter === '') return listImages(src.ctx, req)
  try {
    parseAll(filter)
  } catch {
    return listImages(src.ctx, req)
  }
  let matches: Image[]
  try {
    matches = await daemonImages(src.conn, ns, [filter])
  } catch (e) {
    if (!isKind(e, 'invalid-argument')) throw e
    const namespaceTotal = src.db
      .prepare('SELECT count(*) FROM images WHERE namespace = ?')
      .pluck()
      .get(ns) as number
    return { items: [], total: 0, namespaceTotal, filterError: filterErrorOf(filter, e) }
  }
  return listImages(src.ctx, { ...req, filter: '' }, { only: new Set(matches.map((i) => i.name)) })
}

/** The daemon's namespaces, counted from the mirror (a namespace never opened here counts 0). */
async function namespaces(src: ContainerdSource): Promise<NamespaceInfo[]> {
  const count = (table: 'images' | 'content') =>
    src.db.prepare(`SELECT count(*) FROM ${table} WHERE namespace = ?`).pluck()
  const images = count('images')
  const blobs = count('content')
  return (await listNamespaces(src.conn)).map((n) => ({
    name: n.name,
    images: images.get(n.name) as number,
    blobs: blobs.get(n.name) as number,
  }))
}

/** Present blobs that only these images reach: what the daemon's collection frees once they are gone. */
function reclaimable(
  src: ContainerdSource,
  ns: string,
  names: string[],
): { reclaimBytes: number; blobs: number } {
  const r = src.db
    .prepare(
      `WITH gone(name) AS (SELECT value FROM json_each(?)),
            mine AS (SELECT DISTINCT b.digest, b.size FROM image_summary_blobs b
                      WHERE b.namespace = ? AND b.present = 1 AND b.name IN (SELECT name FROM gone))
       SELECT count(*) AS blobs, total(size) AS bytes FROM mine
        WHERE NOT EXISTS (SELECT 1 FROM image_summary_blobs o
                           WHERE o.namespace = ? AND o.digest = mine.digest AND o.name NOT IN (SELECT name FROM gone))`,
    )
    .get(JSON.stringify(names), ns, ns) as { blobs: number; bytes: number }
  return { reclaimBytes: r.bytes, blobs: r.blobs }
}
