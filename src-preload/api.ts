// The contract between the untrusted renderer and the main process: every call with its argument and
// result types, every event with its payload. Main binds it (src-main/app/ipc.ts) and forwards it to
// the store host (src-main/host/), the preload exposes it as `window.berth`, the renderer calls it
// and imports TYPES ONLY from here. Everything that crosses is
// plain structured-clone data: no classes, dates as ISO-8601 strings, sizes as numbers of bytes.
//
// Its one import: the call arguments' types, derived from their schemas (args.ts), which main and the
// store host check every call against, so a type and its check cannot drift. Only types are imported
// (erased at build): the sandboxed CommonJS preload bundles no schema, and the renderer, which may take
// only types from here (a layering rule), never sees one.
import type { ArgChannel, ArgsOf } from './args'

export type {
  AddSourceRequest,
  ContentSetLabelsRequest,
  CopyEnd,
  CopyRequest,
  ExportRequest,
  FileFilter,
  FilesCompareRequest,
  FilesImageRef,
  FilesListRequest,
  FilesReadRequest,
  FilesSaveRequest,
  FilesSearchRequest,
  ImageSortKey,
  ImportRequest,
  InspectRequest,
  LabelChanges,
  ListContentRequest,
  ListImagesRequest,
  LoginRequest,
  OpenFileRequest,
  PullRequest,
  PushRequest,
  RemoveRequest,
  SaveFileRequest,
  SetLabelsRequest,
  TagRequest,
} from './args'

export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'invalid-argument'
  | 'failed-precondition'
  | 'unavailable'
  | 'not-implemented'
  | 'conflict'
  | 'cancelled'

/** Every kind, at run time: main, the host and the service check a kind against this list. */
export const ERROR_KINDS = [
  'not-found',
  'already-exists',
  'invalid-argument',
  'failed-precondition',
  'unavailable',
  'not-implemented',
  'conflict',
  'cancelled',
] as const satisfies readonly ErrorKind[]

export function isErrorKind(k: unknown): k is ErrorKind {
  return typeof k === 'string' && (ERROR_KINDS as readonly string[]).includes(k)
}

/** How an error crosses the bridge. It is rebuilt as an Error on the receiving side. */
export interface WireError {
  kind: ErrorKind
  message: string
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError }

// ---------------------------------------------------------------------------------------------------
// Data shapes

export interface AppInfo {
  name: string
  version: string
  electron: string | null
  node: string
  chromium: string | null
  platform: string
  /** The store root: <userData>, holding berth.db and store/. */
  storePath: string
  /** This machine's platform, e.g. linux/amd64, as the platform matcher sees it. */
  hostPlatform: string
}

export interface NamespaceInfo {
  name: string
  images: number
  blobs: number
}

export type Presence = 'present' | 'partial' | 'missing'
export type TargetKind = 'index' | 'manifest' | 'other'

export interface PlatformParts {
  os: string
  architecture: string
  variant?: string
  osVersion?: string
}

export interface PlatformChip {
  /** formatAll form: linux/arm/v7, windows(10.0.17763)/amd64 */
  platform: string
  os: string
  architecture: string
  variant?: string
  osVersion?: string
  status: Presence
  /**
   * Bytes of this platform's manifest, config and layers as their descriptors declare them, present or
   * not: containerd's Image.Size below the target (add the index's own size for an index).
   */
  size?: number
}

export interface ImageSummary {
  name: string
  /** The name without its tag or digest, e.g. docker.io/library/alpine. */
  repository: string
  /** The tag, '' when the name has none. */
  tag: string
  targetDigest: string
  targetMediaType: string
  targetSize: number
  kind: TargetKind
  platforms: PlatformChip[]
  /** Whole image: present, partial (some blobs missing) or missing (the target itself is absent). */
  status: Presence
  /** Bytes of every distinct blob of the image that is present in the store. */
  size: number
  /** Bytes of the blobs no other image in the namespace references: what deleting it frees. */
  uniqueSize: number
  createdAt: string
  updatedAt: string
  labels: Record<string, string>
}

export interface FilterError {
  message: string
  /** 0-based offset in the filter string where parsing failed. */
  position: number
}

/**
 * A selector that parses but can never match, said so instead of leaving an empty list unexplained:
 * a `~=` whose regular expression does not compile (containerd matches nothing and only logs it).
 */
export interface FilterWarning {
  /** The selector, e.g. `name~=(`. */
  expression: string
  /** e.g. "name~=( matches nothing: error parsing regexp: missing closing ): `(`" */
  message: string
}

export interface ImagePage {
  items: ImageSummary[]
  /** Matching images (before offset/limit). */
  total: number
  /** Images in the namespace, unfiltered: tells "no match" from "empty store". */
  namespaceTotal: number
  /** Set when `filter` does not parse; items is then empty. */
  filterError?: FilterError
  /** Set when the filter parses but part of it can never match. */
  filterWarnings?: FilterWarning[]
}

export type NodeKind = 'index' | 'manifest' | 'config' | 'layer' | 'attestation' | 'other'

export interface DescriptorNode {
  digest: string
  mediaType: string
  size: number
  kind: NodeKind
  present: boolean
  platform?: string
  /** The same platform as fields (manifests only). */
  platformParts?: PlatformParts
  annotations?: Record<string, string>
  /** Layers: the digest of the uncompressed tar, from the config's rootfs. */
  diffId?: string
  /** Layers: bytes after decompression, when known. */
  uncompressedSize?: number
  /**
   * Too complex to show: the image's tree passed its node budget (service/tree.ts MAX_TREE_NODES), so
   * this node's children were cut short. Set on each node that lost children, and on the root.
   */
  tooComplex?: boolean
  children: DescriptorNode[]
}

export interface MatrixRow {
  os: string
  osVersion?: string
  label: string
}

export interface MatrixColumn {
  architecture: string
  variant?: string
  label: string
}

export interface MatrixCell {
  row: number
  column: number
  platform: string
  status: Presence
  compressedSize: number
  uncompressedSize: number | null
  layers: number
  manifestDigest: string
  configDigest: string | null
  /** Position in the host's defaultMatcher preference order (0 = best), null when this host cannot run it. */
  rank: number | null
  runnable: boolean
  best: boolean
  /** Digests of attestation manifests that describe this platform's manifest. */
  attestations: string[]
}

export interface AttestationInfo {
  digest: string
  size: number
  present: boolean
  /** The manifest it describes (vnd.docker.reference.digest), and that manifest's platform. */
  refersTo: string | null
  platform: string | null
  predicateTypes: string[]
}

export interface PlatformMatrix {
  host: string
  rows: MatrixRow[]
  columns: MatrixColumn[]
  cells: MatrixCell[]
  attestations: AttestationInfo[]
}

export interface ConfigInfo {
  digest: string
  platform: string
  created: string | null
  author: string | null
  user: string | null
  workingDir: string | null
  entrypoint: string[] | null
  cmd: string[] | null
  env: string[]
  ports: string[]
  volumes: string[]
  stopSignal: string | null
  labels: Record<string, string>
  history: { created: string | null; createdBy: string; comment: string | null; emptyLayer: boolean }[]
  diffIds: string[]
}

export interface ImageDetails {
  namespace: string
  summary: ImageSummary
  tree: DescriptorNode
  matrix: PlatformMatrix
  /** The config of the host's best match (or the only platform); null when it is missing. */
  config: ConfigInfo | null
}

export interface BlobJson {
  digest: string
  mediaType: string | null
  size: number
  /** Pretty-printed JSON, or null when the blob is not JSON (a layer). */
  json: string | null
  /** Set when the blob is not JSON or too large to show. */
  note?: string
}

export interface ReclaimPreview {
  names: string[]
  /** Bytes a garbage collection would free once these images are gone. */
  reclaimBytes: number
  blobs: number
}

export interface RemoveResult {
  removed: string[]
  reclaimedBytes: number
  blobs: number
}

export type JobKind = 'import' | 'export' | 'pull' | 'push' | 'copy' | 'index' | 'save'

export interface JobRef {
  id: string
  kind: JobKind
}

/** A platform a remote image offers, as the Pull dialog lists it. */
export interface RemotePlatform {
  /** formatAll form: linux/arm/v7 */
  platform: string
  os: string
  architecture: string
  variant?: string
  osVersion?: string
  /** This host can run it (the default matcher accepts it). */
  runnable: boolean
  /** The host's best match: what a pull without a choice would fetch. */
  best: boolean
}

export interface RemoteImageInfo {
  /** Canonical name, e.g. docker.io/library/nginx:latest. */
  name: string
  digest: string
  mediaType: string
  size: number
  kind: TargetKind
  platforms: RemotePlatform[]
}

/** A stored login: never its secret. */
export interface RegistryLogin {
  host: string
  username: string
}

export interface ContentItem {
  digest: string
  size: number
  kind: NodeKind
  mediaType: string | null
  createdAt: string
  updatedAt: string
  labels: Record<string, string>
  /** Image names whose tree reaches this blob, the first ones in byte order (at most 50). */
  images: string[]
  /** How many images reach this blob in all. */
  imageCount: number
}

export interface ContentPage {
  items: ContentItem[]
  total: number
  totalBytes: number
  filterError?: FilterError
  filterWarnings?: FilterWarning[]
}

export interface GcReport {
  dryRun: boolean
  blobs: number
  bytes: number
  digests: string[]
}

/** The id of Berth's own store among the sources. */
export const BERTH_SOURCE = 'berth'

/** Where images live: Berth's own store, or a containerd daemon the user added. */
export interface SourceInfo {
  /** 'berth' for Berth's own store. */
  id: string
  kind: 'berth' | 'containerd'
  /** What the sidebar shows: "Berth", or "containerd · k8s.io". */
  name: string
  /** containerd: the socket's path. */
  address?: string
  /** containerd: the namespace the source opens in. */
  namespace?: string
  /** The source every image and content call acts on now. */
  active: boolean
}

/** What a daemon answers before it is added: who it is, and its namespaces. */
export interface DaemonInfo {
  address: string
  version: string
  namespaces: NamespaceInfo[]
}

// ---------------------------------------------------------------------------------------------------
// Files: what is inside an image (one platform manifest's layers, stacked)

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'
export type FileChange = 'added' | 'modified' | 'removed'

export interface FileLayerChanges {
  added: number
  modified: number
  removed: number
  addedBytes: number
  modifiedBytes: number
  removedBytes: number
}

export interface FileLayerInfo {
  /** Position among the manifest's layers, bottom first: what `layer` in the other calls names. */
  index: number
  digest: string
  mediaType: string
  size: number
  diffId: string
  /** The blob is in the namespace. */
  present: boolean
  /** Its entries are indexed (for this or any image with the same layer). */
  indexed: boolean
  /** The history entry that made it (`docker history`'s CREATED BY), '' when the config has none. */
  command: string
  created: string | null
  comment: string | null
  /** Bytes of the uncompressed tar, once indexed. */
  tarSize: number | null
  /** Tar entries and bytes of regular files in the layer, once indexed. */
  entries: number | null
  fileBytes: number | null
  /** What it did to the tree below it, once the image is indexed. */
  changes: FileLayerChanges | null
}

/** One row of `docker history`, oldest first: empty layers (ENV, CMD…) have no `layer`. */
export interface FileHistoryEntry {
  command: string
  created: string | null
  comment: string | null
  emptyLayer: boolean
  layer: number | null
}

export interface FilesTotals {
  /** Entries of the merged tree. */
  entries: number
  /** Bytes of regular files across every layer. */
  allBytes: number
  /** Bytes of file versions no path of the merged tree shows (overwritten or removed later). */
  wastedBytes: number
  /** 1 − wasted ÷ all file bytes across layers, as dive reports it. */
  efficiency: number
}

export interface FilesOverview {
  namespace: string
  name: string
  /** formatAll form of the chosen manifest's platform. */
  platform: string
  manifestDigest: string
  configDigest: string
  /** Every platform manifest of the image, to choose another. */
  platforms: { platform: string; manifestDigest: string }[]
  /** The stacked tree (the chain ID of the layers) that files.list and the rest read; null without layers. */
  tree: string | null
  indexed: boolean
  /** Why indexing cannot run (a layer missing from the store), null when it can. */
  blocked: string | null
  layers: FileLayerInfo[]
  history: FileHistoryEntry[]
  totals: FilesTotals | null
}

export interface FileEntry {
  /** Absolute, e.g. /usr/bin/ls. Raw bytes of the name: escape before printing to a terminal. */
  path: string
  name: string
  type: FileType
  mode: number
  uid: number
  gid: number
  size: number
  /** Seconds since the epoch. */
  mtime: number
  /** Symlinks: the target as written. Hardlinks: the absolute path whose bytes they share. */
  link?: string
  /** The layer (index) that wrote this version. */
  layer: number
  /** In a layer's view: what that layer did. */
  change?: FileChange
  /** In a layer's view: a directory holding something that layer changed. */
  touched?: boolean
  /** A parent directory no tar names, made by the unpacker. */
  implicit?: boolean
  /** A hardlink to nothing unpacked before it. */
  broken?: boolean
}

export interface FilePage {
  dir: string
  total: number
  offset: number
  entries: FileEntry[]
}

export interface FileSearchResult {
  total: number
  entries: FileEntry[]
}

export interface WastedFile {
  path: string
  /** File versions of this path no final path shows. */
  versions: number
  bytes: number
  /** Layers that wrote them. */
  layers: number[]
}

export interface WastedReport {
  allBytes: number
  wastedBytes: number
  efficiency: number
  /** Paths with wasted bytes. */
  paths: number
  /** The biggest offenders first. */
  top: WastedFile[]
}

export interface FilePreview {
  path: string
  type: FileType
  size: number
  /** What the file is, guessed from its first bytes: "ELF executable or library", "shell script", "text". */
  description: string
  kind: 'text' | 'binary' | 'empty' | 'directory' | 'link' | 'special'
  /** The first 1 MiB as text, for text files. */
  text: string | null
  /** A hex dump of the first bytes, for binary files. */
  hex: string | null
  /** More bytes follow than were read. */
  truncated: boolean
  link?: string
}

export type FileDiffField = 'type' | 'size' | 'mode' | 'owner' | 'link'

export interface FileDiffSide {
  type: FileType
  mode: number
  uid: number
  gid: number
  size: number
  link: string
}

export interface FileDiffEntry {
  path: string
  change: 'added' | 'removed' | 'changed'
  a?: FileDiffSide
  b?: FileDiffSide
  fields: FileDiffField[]
}

export interface FilesComparison {
  added: number
  removed: number
  changed: number
  same: number
  /** Differences matching `change` (all of them without it). */
  total: number
  entries: FileDiffEntry[]
  /** Diff IDs both sides have. */
  sharedLayers: string[]
  /** Layers the two stacks have in common from the bottom. */
  commonBase: number
  aLayers: number
  bLayers: number
}

// ---------------------------------------------------------------------------------------------------
// Calls

/** Every call: its argument list (derived from its schema in args.ts) and its result. */
export interface Channels {
  'app.info': { args: ArgsOf<'app.info'>; result: AppInfo }
  'namespaces.list': { args: ArgsOf<'namespaces.list'>; result: NamespaceInfo[] }
  'images.list': { args: ArgsOf<'images.list'>; result: ImagePage }
  /**
   * `ticket` (any unique string the caller makes up) lets `calls.cancel` end the work, e.g. learning
   * layer sizes, once the view that asked has gone; the call then answers 'cancelled'.
   */
  'images.details': { args: ArgsOf<'images.details'>; result: ImageDetails }
  'images.blob': { args: ArgsOf<'images.blob'>; result: BlobJson }
  'images.setLabels': { args: ArgsOf<'images.setLabels'>; result: ImageSummary }
  'images.tag': { args: ArgsOf<'images.tag'>; result: ImageSummary }
  'images.removePreview': { args: ArgsOf<'images.removePreview'>; result: ReclaimPreview }
  'images.remove': { args: ArgsOf<'images.remove'>; result: RemoveResult }
  'images.import': { args: ArgsOf<'images.import'>; result: JobRef }
  'images.export': { args: ArgsOf<'images.export'>; result: JobRef }
  'images.pull': { args: ArgsOf<'images.pull'>; result: JobRef }
  'images.push': { args: ArgsOf<'images.push'>; result: JobRef }
  'jobs.cancel': { args: ArgsOf<'jobs.cancel'>; result: { cancelled: boolean } }
  /** Ends the read started with this `ticket`; `cancelled` says whether one was still running. */
  'calls.cancel': { args: ArgsOf<'calls.cancel'>; result: { cancelled: boolean } }
  'registry.inspect': { args: ArgsOf<'registry.inspect'>; result: RemoteImageInfo }
  'registry.logins.list': { args: ArgsOf<'registry.logins.list'>; result: RegistryLogin[] }
  'registry.login': { args: ArgsOf<'registry.login'>; result: RegistryLogin }
  'registry.logout': { args: ArgsOf<'registry.logout'>; result: { removed: boolean } }
  'content.list': { args: ArgsOf<'content.list'>; result: ContentPage }
  'content.setLabels': { args: ArgsOf<'content.setLabels'>; result: ContentItem }
  'gc.preview': { args: ArgsOf<'gc.preview'>; result: GcReport }
  'gc.run': { args: ArgsOf<'gc.run'>; result: GcReport }
  'dialogs.openFile': { args: ArgsOf<'dialogs.openFile'>; result: string | null }
  'dialogs.saveFile': { args: ArgsOf<'dialogs.saveFile'>; result: string | null }
  'sources.list': { args: ArgsOf<'sources.list'>; result: SourceInfo[] }
  'sources.add': { args: ArgsOf<'sources.add'>; result: SourceInfo }
  'sources.remove': { args: ArgsOf<'sources.remove'>; result: { removed: boolean } }
  'sources.switch': { args: ArgsOf<'sources.switch'>; result: SourceInfo }
  'sources.daemon': { args: ArgsOf<'sources.daemon'>; result: DaemonInfo }
  'images.copy': { args: ArgsOf<'images.copy'>; result: JobRef }
  'files.layers': { args: ArgsOf<'files.layers'>; result: FilesOverview }
  'files.index': { args: ArgsOf<'files.index'>; result: JobRef }
  'files.list': { args: ArgsOf<'files.list'>; result: FilePage }
  'files.search': { args: ArgsOf<'files.search'>; result: FileSearchResult }
  'files.wasted': { args: ArgsOf<'files.wasted'>; result: WastedReport }
  'files.stat': { args: ArgsOf<'files.stat'>; result: FileEntry }
  'files.read': { args: ArgsOf<'files.read'>; result: FilePreview }
  'files.save': { args: ArgsOf<'files.save'>; result: JobRef }
  'files.compare': { args: ArgsOf<'files.compare'>; result: FilesComparison }
}

export type Channel = keyof Channels
export type ChannelArgs<C extends Channel> = Channels[C]['args']
export type ChannelResult<C extends Channel> = Channels[C]['result']

// ---------------------------------------------------------------------------------------------------
// Events (main → renderer)

export type BlobState = 'waiting' | 'downloading' | 'resuming' | 'exists' | 'done' | 'uploading' | 'mounted'

/** One blob of a pull or push. */
export interface JobBlob {
  digest: string
  mediaType: string
  size: number
  /** Bytes transferred or present so far. */
  offset: number
  state: BlobState
}

export interface JobProgress {
  id: string
  kind: JobKind
  phase: string
  /** Bytes (or items) done and expected; total 0 when unknown. */
  done: number
  total: number
  /** Pull and push: every blob seen so far, in the order first seen. */
  blobs?: JobBlob[]
}

export interface JobDone {
  id: string
  kind: JobKind
  ok: boolean
  /** Import, pull, push: the image names created, updated or pushed. Export: the file written. */
  images?: string[]
  path?: string
  /**
   * What a job that succeeded left out, one line each: images an import skipped (nothing for the chosen
   * platform), platforms an export left out (their content is missing from the store).
   */
  notes?: string[]
  error?: WireError
}

export interface StoreChanged {
  /** 'external': another process (the CLI) wrote; 'local': this app did. */
  source: 'external' | 'local'
  at: string
}

/**
 * The store host: the process that owns the database and the blobs. When it stops unexpectedly main
 * starts it again; calls made meanwhile fail with 'unavailable', and 'ready' means lists should reload.
 */
export interface HostState {
  /** starting: first start; restarting: it stopped and is coming back; failed: it kept stopping. */
  state: 'starting' | 'ready' | 'restarting' | 'failed'
  /** Why, for the user: the exit code or the error that stopped it. */
  message?: string
  at: string
}

export type MenuCommand =
  | 'import'
  | 'export'
  | 'pull'
  | 'refresh'
  | 'find'
  | 'gc'
  | 'view-images'
  | 'view-content'
  | 'view-registries'

export interface Events {
  'store.changed': StoreChanged
  'job.progress': JobProgress
  'job.done': JobDone
  /** An application-menu command for the renderer to carry out in its current view. */
  'menu.command': { command: MenuCommand }
  /** The store host's state: the UI says "store restarting…" and reloads when it is ready again. */
  'host.state': HostState
}

export type EventName = keyof Events

// ---------------------------------------------------------------------------------------------------
// What `window.berth` is.

export interface BerthBridge {
  invoke<C extends Channel>(channel: C, ...args: ChannelArgs<C>): Promise<Envelope<ChannelResult<C>>>
  /** Returns a function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  off<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void
}

// Runtime lists, used by main and the preload (the renderer must not import values from here). The
// `satisfies` clauses plus the exhaustiveness checks below make adding a channel without listing it a
// compile error.
export const CHANNELS = [
  'app.info',
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
  'jobs.cancel',
  'calls.cancel',
  'registry.inspect',
  'registry.logins.list',
  'registry.login',
  'registry.logout',
  'content.list',
  'content.setLabels',
  'gc.preview',
  'gc.run',
  'dialogs.openFile',
  'dialogs.saveFile',
  'sources.list',
  'sources.add',
  'sources.remove',
  'sources.switch',
  'sources.daemon',
  'images.copy',
  'files.layers',
  'files.index',
  'files.list',
  'files.search',
  'files.wasted',
  'files.stat',
  'files.read',
  'files.save',
  'files.compare',
] as const satisfies readonly Channel[]

export const EVENTS = [
  'store.changed',
  'job.progress',
  'job.done',
  'menu.command',
  'host.state',
] as const satisfies readonly EventName[]

type Missing<All, Listed> = Exclude<All, Listed>
const channelsComplete: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : false = true
const eventsComplete: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : false = true
// Every channel has an argument schema, and no schema is left without a channel.
const argsComplete: Missing<Channel, ArgChannel> | Missing<ArgChannel, Channel> extends never ? true : false =
  true
void channelsComplete
void argsComplete
void eventsComplete

/** The IPC channel name on the wire, namespaced so nothing else in Electron collides. */
export const ipcName = (c: Channel | EventName): string => `berth:${c}`

export function isChannel(c: unknown): c is Channel {
  return typeof c === 'string' && (CHANNELS as readonly string[]).includes(c)
}

export function isEventName(e: unknown): e is EventName {
  return typeof e === 'string' && (EVENTS as readonly string[]).includes(e)
}
