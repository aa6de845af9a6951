// The contract's arguments, written once: one schema per channel, and every argument type derived from
// its schema, so a field added to a request is checked the moment it exists and a check cannot drift
// from its type. Main checks every renderer call against these (src-main/app/check-args.ts), the store
// host again; api.ts re-exports the types, which is all the renderer and the preload take from here.
// Results and events stay plain types in api.ts: they come from the trusted host.
import * as v from 'valibot'
import { args, fields, flag, int, list, map, oneOf, text } from './bounds'

const namespace = text(1, 76)
const name = text(1, 8192)
const digest = text(1, 200)
const path = text(1, 4096)
const iso = v.pipe(
  text(1, 40),
  v.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'expected a UTC time such as 2024-05-01T12:00:00Z'),
)
const platform = text(1, 200)
const platformList = list(platform, 64)
const platforms = v.optional(platformList)
const ref = text(1, 4096)
const insecure = v.optional(flag)
const host = text(1, 255)
const all = v.literal('all')
/** A list of platforms, or 'all'; the list keeps its own messages (a union would blur them). */
const pullPlatforms = v.optional(v.lazy((x) => (x === 'all' ? all : platformList)))
/** Per-key label changes: a string sets the key, null removes it. */
const labelChanges = map(
  v.pipe(v.string(), v.maxLength(4096, 'expected a key of at most 4096 characters')),
  v.nullable(text(0, 8192)),
  1000,
)
const filter = v.optional(text(0, 4096))
const query = v.optional(text(0, 1024))
const offset = v.optional(int(0))
/** A file name with no directory in it (no separator, not . or ..): the save dialog decides where. */
const basename = v.pipe(
  text(1, 255),
  v.check((s) => !/[\\/\0]/.test(s) && s !== '.' && s !== '..', 'expected a file name without a directory'),
)
const fileFilter = fields({ name: text(0, 200), extensions: list(text(0, 20), 20) })
const fileFilters = v.optional(list(fileFilter, 20))
const sourceId = text(1, 100)
/** A socket path or unix:// address; parsed (and refused by name) by the service. */
const address = text(1, 4096)
/** Files: a stacked tree is named by the chain ID of its layers. */
const tree = text(1, 200)
const imagePath = text(1, 4096)
const layer = v.optional(int(0, 100_000))
const filesPage = { offset, limit: v.optional(int(0, 5000)) }

const imageSortKey = oneOf('name', 'tag', 'kind', 'platforms', 'size', 'unique', 'updated', 'created')

const listImagesRequest = fields({
  namespace,
  /** containerd filter syntax (fields: name, target.digest, target.mediatype, labels.KEY, annotations.KEY). */
  filter,
  /** Plain text matched (case-insensitively) against names, digests and label values. */
  query,
  sort: v.optional(fields({ key: imageSortKey, direction: oneOf('asc', 'desc') })),
  offset,
  limit: v.optional(int(0, 100_000)),
})

/** Names a read so that calls.cancel can end it. */
const ticket = text(1, 100)
const detailsRequest = fields({ namespace, name, ticket: v.optional(ticket) })
const blobRef = fields({ namespace, digest })

const setLabelsRequest = fields({
  namespace,
  name,
  changes: labelChanges,
  /** The updatedAt the editor started from; a newer record gives a conflict naming the keys. */
  expectedUpdatedAt: iso,
})

const tagRequest = fields({
  namespace,
  source: name,
  target: name,
  /** Replace an existing image of that name. */
  force: v.optional(flag),
})

const removeRequest = fields({ namespace, names: list(name, 100_000) })

const importRequest = fields({
  namespace,
  path,
  /** containerd's --all-platforms is the default; a list keeps only those platforms' blobs. */
  platforms,
})

const exportRequest = fields({ namespace, names: list(name, 100_000), path, platforms })

const inspectRequest = fields({
  ref,
  /** Allow plain HTTP, or HTTPS without certificate verification, to this registry. */
  insecure,
})

const pullRequest = fields({
  namespace,
  ref,
  /** Platforms to fetch, or 'all'; absent or empty: the host's best match. */
  platforms: pullPlatforms,
  insecure,
})

const pushRequest = fields({
  namespace,
  /** The local image. */
  name,
  /** Where to push it; defaults to the image name. */
  ref: v.optional(ref),
  /** Only these platforms' manifests (the index is pushed as it is). */
  platforms,
  insecure,
})

const loginRequest = fields({
  host,
  username: text(1, 1024),
  /** Password or token: verified against the registry, then stored encrypted; never sent back. */
  secret: text(1, 16384),
  insecure,
})

const listContentRequest = fields({ namespace, filter, query, offset, limit: v.optional(int(0, 100_000)) })

const contentSetLabelsRequest = fields({
  namespace,
  digest,
  changes: labelChanges,
  expectedUpdatedAt: v.optional(iso),
})

const openFileRequest = fields({ title: v.optional(text(0, 200)), filters: fileFilters })

const saveFileRequest = fields({
  title: v.optional(text(0, 200)),
  defaultName: v.optional(basename),
  filters: fileFilters,
})

const addSourceRequest = fields({
  /** A socket path or unix:// address, as ctr's --address takes it. */
  address,
  namespace,
  /** A name for the sidebar (default: containerd · NAMESPACE). */
  name: v.optional(text(0, 200)),
})

/** One end of a copy: a source and a namespace in it. */
const copyEnd = fields({ source: sourceId, namespace })

const copyRequest = fields({
  from: copyEnd,
  to: copyEnd,
  names: list(name, 10_000),
  /** Only these platforms' manifests and blobs (the index is copied as it is); absent or empty: all. */
  platforms,
})

/** An image and one of its platform manifests. */
const filesImageRef = fields({
  namespace,
  name,
  /** A platform manifest's digest (a platform-matrix cell); wins over `platform`. */
  manifest: v.optional(digest),
  /** A platform specifier such as linux/arm64; absent: this machine's best match. */
  platform: v.optional(platform),
})

const filesListRequest = fields({
  namespace,
  tree,
  /** Absolute directory path; '/' is the root. */
  dir: imagePath,
  /** View the tree as of this layer, with its changes marked; absent: the merged tree. */
  layer,
  /** With `layer`: only changed entries and the directories leading to them. */
  onlyChanges: v.optional(flag),
  ...filesPage,
})

const filesSearchRequest = fields({
  namespace,
  tree,
  pattern: text(1, 1024),
  /** glob: `*.so`, `/etc/**`, `libc*` (without a slash it matches names); regex: RE2, unanchored. */
  mode: oneOf('glob', 'regex'),
  ...filesPage,
})

const filesReadRequest = fields({
  namespace,
  tree,
  /** Absolute path in the image. */
  path: imagePath,
  layer,
})

const filesSaveRequest = fields({
  namespace,
  tree,
  /** The file or directory in the image (absolute path). */
  entry: imagePath,
  layer,
  /** Where to write it: the path a native save dialog returned (main takes no other). A directory is saved as a tar. */
  path,
})

const filesCompareRequest = fields({
  namespace,
  /** Trees (files.layers' `tree`) of the two sides. */
  a: tree,
  b: tree,
  /** Only this kind of difference. */
  change: v.optional(oneOf('added', 'removed', 'changed')),
  ...filesPage,
})

/** Every channel's argument list. api.ts makes a channel missing here, or one too many, a compile error. */
export const ARGS = {
  'app.info': args(),
  'namespaces.list': args(),
  'images.list': args(listImagesRequest),
  'images.details': args(detailsRequest),
  'images.blob': args(blobRef),
  'images.setLabels': args(setLabelsRequest),
  'images.tag': args(tagRequest),
  'images.removePreview': args(removeRequest),
  'images.remove': args(removeRequest),
  'images.import': args(importRequest),
  'images.export': args(exportRequest),
  'images.pull': args(pullRequest),
  'images.push': args(pushRequest),
  'jobs.cancel': args(fields({ id: text(1, 100) })),
  'calls.cancel': args(fields({ ticket })),
  'registry.inspect': args(inspectRequest),
  'registry.logins.list': args(),
  'registry.login': args(loginRequest),
  'registry.logout': args(fields({ host })),
  'content.list': args(listContentRequest),
  'content.setLabels': args(contentSetLabelsRequest),
  'gc.preview': args(),
  'gc.run': args(),
  'dialogs.openFile': args(openFileRequest),
  'dialogs.saveFile': args(saveFileRequest),
  'sources.list': args(),
  'sources.add': args(addSourceRequest),
  'sources.remove': args(fields({ id: sourceId })),
  'sources.switch': args(fields({ id: sourceId })),
  'sources.daemon': args(fields({ address })),
  'images.copy': args(copyRequest),
  'files.layers': args(filesImageRef),
  'files.index': args(filesImageRef),
  'files.list': args(filesListRequest),
  'files.search': args(filesSearchRequest),
  'files.wasted': args(fields({ namespace, tree, limit: v.optional(int(0, 10_000)) })),
  'files.stat': args(filesReadRequest),
  'files.read': args(filesReadRequest),
  // `path` is where to write: main accepts only a path its own save dialog granted.
  'files.save': args(filesSaveRequest),
  'files.compare': args(filesCompareRequest),
}

export type ArgChannel = keyof typeof ARGS

/** A channel's argument list, as its schema lets it through. */
export type ArgsOf<C extends ArgChannel> = v.InferOutput<(typeof ARGS)[C]>

export type ImageSortKey = v.InferOutput<typeof imageSortKey>
export type ListImagesRequest = v.InferOutput<typeof listImagesRequest>
export type LabelChanges = v.InferOutput<typeof labelChanges>
export type SetLabelsRequest = v.InferOutput<typeof setLabelsRequest>
export type TagRequest = v.InferOutput<typeof tagRequest>
export type RemoveRequest = v.InferOutput<typeof removeRequest>
export type ImportRequest = v.InferOutput<typeof importRequest>
export type ExportRequest = v.InferOutput<typeof exportRequest>
export type InspectRequest = v.InferOutput<typeof inspectRequest>
export type PullRequest = v.InferOutput<typeof pullRequest>
export type PushRequest = v.InferOutput<typeof pushRequest>
export type LoginRequest = v.InferOutput<typeof loginRequest>
export type ListContentRequest = v.InferOutput<typeof listContentRequest>
export type ContentSetLabelsRequest = v.InferOutput<typeof contentSetLabelsRequest>
export type FileFilter = v.InferOutput<typeof fileFilter>
export type OpenFileRequest = v.InferOutput<typeof openFileRequest>
export type SaveFileRequest = v.InferOutput<typeof saveFileRequest>
export type AddSourceRequest = v.InferOutput<typeof addSourceRequest>
export type CopyEnd = v.InferOutput<typeof copyEnd>
export type CopyRequest = v.InferOutput<typeof copyRequest>
export type FilesImageRef = v.InferOutput<typeof filesImageRef>
export type FilesListRequest = v.InferOutput<typeof filesListRequest>
export type FilesSearchRequest = v.InferOutput<typeof filesSearchRequest>
export type FilesReadRequest = v.InferOutput<typeof filesReadRequest>
export type FilesSaveRequest = v.InferOutput<typeof filesSaveRequest>
export type FilesCompareRequest = v.InferOutput<typeof filesCompareRequest>
