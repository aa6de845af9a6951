// Files: what is inside an image, for the app's Files tab and Compare view and for `berth images files`.
// Indexing (reading layers) is a job; everything after it is a query on the stacked tree the job wrote:
// a directory page, a search, the wasted-space report, a comparison. Reading or saving a file streams
// the one layer that holds its bytes, from a blob the namespace can see.
import { isAbsolute } from 'node:path'
import { failedPrecondition, invalidArgument, notFound } from '../core/errors'
import { chainId } from '../core/files/chain'
import { describeDiff, diffListings, type DiffResult } from '../core/files/diff'
import { hexdump } from '../core/files/hexdump'
import { indexImageFiles } from '../core/files/index-image'
import { findLayer, layerBlobIn } from '../core/files/layer-index'
import { entryAt, layerChanges, listDir, subtree, type TreeRow, type View } from '../core/files/listing'
import { linePath, listingLines, loadListingChunks, type ListedEntry } from '../core/files/listing-lines'
import { searchListing } from '../core/files/listing-search'
import { memo } from '../core/files/memo'
import { FLAG_BROKEN, FLAG_IMPLICIT } from '../core/files/merged-tree'
import { cleanPath, displayPath } from '../core/files/paths'
import { pruneFileIndex } from '../core/files/prune'
import { readBodies, readHead, type LayerBlob } from '../core/files/read'
import { saveDirectory, saveFile, type SaveResult } from '../core/files/save'
import { findMatches, foldCase, pathMatcher } from '../core/files/search'
import { sniff } from '../core/files/sniff'
import { findTree, type StoredTree } from '../core/files/tree-store'
import { LABEL_UNCOMPRESSED } from '../core/labels'
import { validateNamespace } from '../core/namespace'
import type {
  FileDiffSide,
  FileEntry,
  FilePage,
  FilePreview,
  FileSearchResult,
  FilesCompareRequest,
  FilesComparison,
  FilesImageRef,
  FilesListRequest,
  FilesOverview,
  FilesReadRequest,
  FilesSaveRequest,
  FilesSearchRequest,
  FileType,
  WastedReport,
} from '../../src-preload/api'
import type { ServiceContext } from './context'
import { resolveImage, type ResolvedImage } from './files-image'
import type { JobReport } from './jobs'

/** What a preview reads of a file. */
export const PREVIEW_BYTES = 1 << 20
const HEX_BYTES = 4096
const DEFAULT_PAGE = 200

export async function filesOverview(ctx: ServiceContext, ref: FilesImageRef): Promise<FilesOverview> {
  const r = await resolveImage(ctx, ref)
  const chain = treeIdOf(r)
  const tree = chain ? findTree(ctx.db, chain) : undefined
  return {
    namespace: r.namespace,
    name: r.name,
    platform: r.platform,
    manifestDigest: r.manifest.digest,
    configDigest: r.config.digest,
    platforms: r.platforms,
    tree: chain,
    indexed: r.layers.length === 0 || tree !== undefined,
    blocked: r.blocked,
    layers: r.layers.map((l, i) => {
      const idx = l.diffId ? findLayer(ctx.db, l.diffId) : undefined
      const h = r.layerHistory[i]
      const s = tree?.stats.layers[i]
      return {
        index: i,
        digest: l.desc.digest,
        mediaType: l.desc.mediaType,
        size: l.desc.size,
        diffId: l.diffId,
        present: l.present,
        indexed: idx !== undefined,
        command: h?.command ?? '',
        created: h?.created ?? null,
        comment: h?.comment ?? null,
        tarSize: idx?.tarBytes ?? null,
        entries: idx?.entries ?? null,
        fileBytes: idx?.fileBytes ?? null,
        changes: s
          ? {
              added: s.added,
              modified: s.modified,
              removed: s.removed,
              addedBytes: s.addedBytes,
              modifiedBytes: s.modifiedBytes,
              removedBytes: s.removedBytes,
            }
          : null,
      }
    }),
    history: r.history,
    totals: tree
      ? tree.stats.totals
      : r.layers.length === 0
        ? { entries: 0, allBytes: 0, wastedBytes: 0, efficiency: 1 }
        : null,
  }
}

function treeIdOf(r: ResolvedImage): string | null {
  if (r.layers.length === 0 || r.layers.some((l) => !l.diffId)) return null
  return chainId(r.layers.map((l) => l.diffId))
}

// One indexing per tree at a time in this process: a second request (a double click, the Compare view
// and the Files tab together) waits for the first instead of reading the same layers twice.
const running = new Map<string, Promise<StoredTree>>()

/** Indexes the image's files unless they are indexed; the stacked tree, or null for an image without layers. */
export async function indexFiles(
  ctx: ServiceContext,
  ref: FilesImageRef,
  opts: { signal?: AbortSignal; progress?: JobReport } = {},
  resolved?: ResolvedImage,
): Promise<StoredTree | null> {
  const r = resolved ?? (await resolveImage(ctx, ref))
  if (r.blocked) throw failedPrecondition(r.blocked)
  const chain = treeIdOf(r)
  if (!chain) return null
  const done = findTree(ctx.db, chain)
  if (done) return done
  const key = `${ctx.root}\0${chain}`
  const inFlight = running.get(key)
  if (inFlight) return inFlight
  pruneFileIndex(ctx.db)
  const provider = ctx.content.provider(r.namespace)
  const p = indexImageFiles(ctx.db, provider, r.layers, {
    signal: opts.signal,
    progress: opts.progress,
    proven: (l) => void cacheDiffId(ctx, r.namespace, l.desc.digest, l.diffId),
    now: ctx.now ? () => (ctx.now as () => Date)().getTime() : undefined,
  })
    .then((tree) => {
      // Still part of the job: the first search after indexing then reads no listing from disk.
      searchable(listing(ctx, tree))
      return tree
    })
    .finally(() => running.delete(key))
  running.set(key, p)
  return p
}

/** As getDiffID does: the diff ID is now proven for this blob; a failed cache write changes nothing. */
async function cacheDiffId(ctx: ServiceContext, ns: string, digest: string, diffId: string): Promise<void> {
  try {
    await ctx.content.update(
      ns,
      { digest, labels: { [LABEL_UNCOMPRESSED]: diffId } },
      `labels.${LABEL_UNCOMPRESSED}`,
    )
  } catch {
    // Only a cache.
  }
}

/** files.index: resolves at once (a wrong name fails the call, not the job), then reads in the job. */
export async function indexFilesJob(
  ctx: ServiceContext,
  ref: FilesImageRef,
): Promise<(signal: AbortSignal, progress: JobReport) => Promise<{ images: string[] }>> {
  const r = await resolveImage(ctx, ref)
  if (r.blocked) throw failedPrecondition(r.blocked)
  return async (signal, progress) => {
    await indexFiles(ctx, ref, { signal, progress }, r)
    return { images: [r.name] }
  }
}

export function treeOf(ctx: ServiceContext, ns: string, id: string): StoredTree {
  validateNamespace(ns)
  const t = findTree(ctx.db, id)
  if (!t) {
    throw notFound(
      `the files of tree ${id} are not indexed (or no longer: their layers were collected); index the image first`,
    )
  }
  return t
}

function viewOf(tree: StoredTree, req: { layer?: number; onlyChanges?: boolean }): View {
  if (req.layer === undefined) return {}
  if (req.layer >= tree.layers)
    throw invalidArgument(
      `layer ${req.layer} does not exist: the image has ${tree.layers} layers (0 to ${tree.layers - 1})`,
    )
  return { layer: req.layer, onlyChanges: req.onlyChanges }
}

export function fileEntry(r: TreeRow): FileEntry {
  const e: FileEntry = {
    path: displayPath(r.path),
    name: r.name,
    type: r.type as FileType,
    mode: r.mode,
    uid: r.uid,
    gid: r.gid,
    size: r.size,
    mtime: r.mtime,
    layer: r.layer,
  }
  if (r.type === 'symlink') e.link = r.link
  if (r.type === 'hardlink') e.link = displayPath(r.link)
  if (r.change) e.change = r.change
  if (r.touched) e.touched = true
  if (r.flags & FLAG_IMPLICIT) e.implicit = true
  if (r.flags & FLAG_BROKEN) e.broken = true
  return e
}

export function listFiles(ctx: ServiceContext, req: FilesListRequest): FilePage {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const dir = cleanPath(req.dir)
  const offset = req.offset ?? 0
  const page = listDir(ctx.db, tree, dir, viewOf(tree, req), { offset, limit: req.limit ?? DEFAULT_PAGE })
  return { dir: displayPath(dir), total: page.total, offset, entries: page.rows.map(fileEntry) }
}

/** Everything one layer changed below a directory, by path (the CLI's `--layer`). */
export function changedFiles(
  ctx: ServiceContext,
  req: { namespace: string; tree: string; layer: number; dir: string },
): FileEntry[] {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const view = viewOf(tree, req)
  return layerChanges(ctx.db, tree, view.layer as number, cleanPath(req.dir)).map(fileEntry)
}

/** One entry as a view shows it, or NotFound. */
export function statFile(ctx: ServiceContext, req: FilesReadRequest): FileEntry {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const path = cleanPath(req.path)
  if (path === '')
    return { path: '/', name: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer: 0 }
  const row = entryAt(ctx.db, tree, path, viewOf(tree, req))
  if (!row) throw notFound(`${displayPath(path)}: no such file in this image`)
  return fileEntry(row)
}

interface Listing {
  /** The stored chunks, as read: a search with a literal scans them and builds nothing else. */
  chunks: string[]
  /** One string per line, split the first time a compare or a search without a literal needs them. */
  lines?: string[]
  /** Display paths and last names, built the first time a search without a literal needs them. */
  paths?: string[]
  names?: string[]
  folded: { paths?: string[]; names?: string[]; chunks?: (string | null)[] }
}

function listing(ctx: ServiceContext, tree: StoredTree): Listing {
  return memo(ctx.db, `listing:${tree.id}`, () => ({
    chunks: loadListingChunks(ctx.db, tree.id),
    folded: {},
  }))
}

const linesOf = (l: Listing): string[] => (l.lines ??= listingLines(l.chunks))

function searchable(l: Listing): { paths: string[]; names: string[] } {
  const paths = (l.paths ??= linesOf(l).map((line) => displayPath(linePath(line))))
  const names = (l.names ??= paths.map((p) => p.slice(p.lastIndexOf('/') + 1)))
  return { paths, names }
}

/** A chunk case-folded, or null when folding changes its length (positions in it would not line up). */
function foldedChunk(l: Listing, i: number): string | null {
  const cache = (l.folded.chunks ??= [])
  if (cache[i] === undefined) {
    const f = foldCase(l.chunks[i])
    cache[i] = f.length === l.chunks[i].length ? f : null
  }
  return cache[i]
}

/** Display paths of the page of matches, and how many match in all. */
function matchingPaths(
  l: Listing,
  m: ReturnType<typeof pathMatcher>,
  page: { offset: number; limit: number },
): { total: number; paths: string[] } {
  const found = searchListing(m, { chunks: l.chunks, folded: (i) => foldedChunk(l, i) }, page)
  if (found) return found
  const { paths, names } = searchable(l)
  const subjects = m.basename ? names : paths
  const which = m.basename ? 'names' : 'paths'
  const { total, hits } = findMatches(m, subjects, () => (l.folded[which] ??= subjects.map(foldCase)), page)
  return { total, paths: hits.map((i) => paths[i]) }
}

export function searchFiles(ctx: ServiceContext, req: FilesSearchRequest): FileSearchResult {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const m = pathMatcher(req.pattern, req.mode)
  const { total, paths } = matchingPaths(listing(ctx, tree), m, {
    offset: req.offset ?? 0,
    limit: req.limit ?? DEFAULT_PAGE,
  })
  const entries: FileEntry[] = []
  for (const p of paths) {
    const row = entryAt(ctx.db, tree, p.slice(1), {})
    if (row) entries.push(fileEntry(row))
  }
  return { total, entries }
}

export function wastedFiles(
  ctx: ServiceContext,
  req: { namespace: string; tree: string; limit?: number },
): WastedReport {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const rows = ctx.db
    .prepare(
      'SELECT path, versions, bytes, layers FROM file_wasted WHERE tree = ? ORDER BY bytes DESC, path LIMIT ?',
    )
    .all(tree.id, req.limit ?? 50) as { path: string; versions: number; bytes: number; layers: string }[]
  const paths = ctx.db
    .prepare('SELECT count(*) FROM file_wasted WHERE tree = ?')
    .pluck()
    .get(tree.id) as number
  const t = tree.stats.totals
  return {
    allBytes: t.allBytes,
    wastedBytes: t.wastedBytes,
    efficiency: t.efficiency,
    paths,
    top: rows.map((r) => ({
      path: displayPath(r.path),
      versions: r.versions,
      bytes: r.bytes,
      layers: JSON.parse(r.layers) as number[],
    })),
  }
}

/** The layer blob (one namespace `ns` can read) holding layer position `pos` of `tree`. */
export function layerBlob(ctx: ServiceContext, ns: string, tree: StoredTree, pos: number): LayerBlob {
  const diffId = tree.diffIds[pos]
  const desc = diffId ? layerBlobIn(ctx.db, ns, diffId) : undefined
  if (!desc) {
    throw failedPrecondition(
      `layer ${pos} (${diffId ?? 'unknown'}) is not in namespace ${ns} any more: pull or import the image again to read its files`,
    )
  }
  return { provider: ctx.content.provider(ns), desc }
}

/** The entry a read or save names, with the tree and view it is in. */
function located(
  ctx: ServiceContext,
  req: { namespace: string; tree: string; layer?: number },
  path: string,
) {
  const tree = treeOf(ctx, req.namespace, req.tree)
  const view = viewOf(tree, req)
  const clean = cleanPath(path)
  const row = clean === '' ? null : (entryAt(ctx.db, tree, clean, view) ?? null)
  if (clean !== '' && !row) throw notFound(`${displayPath(clean)}: no such file in this image`)
  return { tree, view, clean, row }
}

export async function readFile(ctx: ServiceContext, req: FilesReadRequest): Promise<FilePreview> {
  const { tree, row } = located(ctx, req, req.path)
  const base = {
    path: displayPath(row?.path ?? ''),
    type: (row?.type ?? 'dir') as FileType,
    size: row?.size ?? 0,
  }
  const none = { text: null, hex: null, truncated: false }
  if (!row || row.type === 'dir') return { ...base, ...none, kind: 'directory', description: 'directory' }
  if (row.type === 'symlink')
    return { ...base, ...none, kind: 'link', description: `symbolic link to ${row.link}`, link: row.link }
  if (row.type !== 'file' && row.type !== 'hardlink')
    return { ...base, ...none, kind: 'special', description: SPECIAL[row.type] ?? row.type }
  if (row.srcSeq < 0)
    return {
      ...base,
      ...none,
      kind: 'special',
      description: `hardlink to ${displayPath(row.link)}, which is not in the image`,
    }
  const head = await readHead(layerBlob(ctx, req.namespace, tree, row.srcLayer), row.srcSeq, PREVIEW_BYTES)
  const s = sniff(head, row.name)
  const truncated = row.size > head.length
  const out: FilePreview = {
    ...base,
    kind: s.kind,
    description: s.description,
    text: null,
    hex: null,
    truncated,
  }
  if (row.type === 'hardlink') out.link = displayPath(row.link)
  if (s.kind === 'text') out.text = new TextDecoder('utf-8').decode(head, { stream: truncated })
  else if (s.kind === 'binary') out.hex = hexdump(head.subarray(0, HEX_BYTES))
  return out
}

const SPECIAL: Partial<Record<string, string>> = {
  char: 'character device',
  block: 'block device',
  fifo: 'named pipe (FIFO)',
}

/** Writes a file's bytes to `out` (the CLI's `cat`). */
export async function catFile(
  ctx: ServiceContext,
  req: FilesReadRequest,
  out: (chunk: Buffer) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const { tree, row } = located(ctx, req, req.path)
  if (!row || row.type === 'dir') throw invalidArgument(`${req.path}: is a directory`)
  if (row.type !== 'file' && row.type !== 'hardlink')
    throw invalidArgument(
      `${req.path}: is a ${row.type === 'symlink' ? `symbolic link to ${row.link}` : row.type}`,
    )
  if (row.srcSeq < 0) throw failedPrecondition(`${req.path}: a hardlink to nothing in this image`)
  await readBodies(
    layerBlob(ctx, req.namespace, tree, row.srcLayer),
    new Set([row.srcSeq]),
    { start() {}, chunk: (c) => out(c), end() {} },
    { signal },
  )
}

/** files.save: the entry and destination are checked at once, the bytes are written in the job. */
export function saveFilesJob(
  ctx: ServiceContext,
  req: FilesSaveRequest,
): (signal: AbortSignal, progress: JobReport) => Promise<{ path: string }> {
  if (!isAbsolute(req.path))
    throw invalidArgument(`save to ${JSON.stringify(req.path)}: not an absolute path`)
  located(ctx, req, req.entry)
  return async (signal, progress) => {
    await saveFiles(ctx, req, { signal, progress })
    return { path: req.path }
  }
}

/** Saves a file (its bytes) or a directory (a tar) from a view to `req.path`. */
export async function saveFiles(
  ctx: ServiceContext,
  req: FilesSaveRequest,
  opts: { signal?: AbortSignal; progress?: JobReport } = {},
): Promise<SaveResult> {
  if (!isAbsolute(req.path))
    throw invalidArgument(`save to ${JSON.stringify(req.path)}: not an absolute path`)
  const { tree, view, clean, row } = located(ctx, req, req.entry)
  const progress = (done: number, total: number) => opts.progress?.('saving', done, total)
  if (row && row.type !== 'dir') {
    return saveFile(row, layerBlob(ctx, req.namespace, tree, row.srcLayer), req.path, {
      signal: opts.signal,
      onProgress: progress,
    })
  }
  const rows = subtree(ctx.db, tree, clean, view)
  return saveDirectory(row, rows, (pos) => layerBlob(ctx, req.namespace, tree, pos), req.path, {
    signal: opts.signal,
    onProgress: progress,
  })
}

export function compareFiles(ctx: ServiceContext, req: FilesCompareRequest): FilesComparison {
  const a = treeOf(ctx, req.namespace, req.a)
  const b = treeOf(ctx, req.namespace, req.b)
  const diff = memo<DiffResult>(ctx.db, `diff:${a.id}:${b.id}`, () =>
    diffListings(linesOf(listing(ctx, a)), linesOf(listing(ctx, b))),
  )
  const wanted = req.change ? diff.entries.filter((e) => e.change === req.change) : diff.entries
  const offset = req.offset ?? 0
  const page = wanted.slice(offset, offset + (req.limit ?? DEFAULT_PAGE)).map(describeDiff)
  const inB = new Set(b.diffIds)
  let commonBase = 0
  while (commonBase < Math.min(a.layers, b.layers) && a.diffIds[commonBase] === b.diffIds[commonBase])
    commonBase++
  const side = (e: ListedEntry | undefined): FileDiffSide | undefined =>
    e && { type: e.type as FileType, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, link: e.link }
  return {
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed,
    same: diff.same,
    total: wanted.length,
    entries: page.map((d) => ({
      path: displayPath(d.path),
      change: d.change,
      ...(d.a ? { a: side(d.a) } : {}),
      ...(d.b ? { b: side(d.b) } : {}),
      fields: d.fields,
    })),
    sharedLayers: [...new Set(a.diffIds.filter((d) => inB.has(d)))],
    commonBase,
    aLayers: a.layers,
    bLayers: b.layers,
  }
}
