// `images import`: one streaming pass over the archive under a lease (small entries to a spool, large ones
// into the content store), then the archive's index is walked once per descriptor (verifying presence,
// sizes and documents, committing what the chosen platforms reach, and labelling parents so GC keeps it),
// what no image reached is taken back out, and only then are image records written, in one transaction.
// On any failure the blobs this import added are taken back out and no record is written.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { Database } from '../db'
import { INGEST_DIR } from '../content/layout'
import { invalidArgument, isKind, notFound, unavailable } from '../errors'
import type { Image, ImageStore } from '../images/store'
import { filterPlatforms, setChildrenLabels } from '../images/handlers'
import { children } from '../images/children'
import { verifyDiffIDs } from '../images/diffid'
import { readIndex, readManifest } from '../images/documents'
import {
  isConfigType,
  isIndexType,
  isLayerType,
  isManifestType,
  isNonDistributable,
  isSchema1Type,
  MAX_MANIFEST_SIZE,
} from '../images/mediatypes'
import { capDescriptors, isEmptyWalk, visitOnce, walkNotEmpty, type Handler } from '../images/walk'
import { withLease } from '../leases'
import { validateNamespace } from '../namespace'
import { isDigest, type Descriptor, type Platform } from '../oci'
import {
  defaultMatcher,
  format as formatPlatform,
  hostPlatform,
  ordered,
  parse as parsePlatform,
  type MatchComparer,
} from '../platforms'
import { readLayoutDirectory, readTarArchive, type Compression } from './archive'
import { ArchiveContents, type ImportStore } from './collect'
import { dockerSaveIndex } from './docker-import'
import { archiveImageNames, importNames, type NamedTarget, type NamingOptions } from './names'
import { checkIndexVersion, ociLayoutIndex } from './oci-import'
import { escapeControls, quoteName } from '../quote'
import { SpaceGuard, type FreeSpace } from './space'
import { Spool, spoolPath, sweepSpools } from './spool'

export interface ImportContext {
  db: Database
  content: ImportStore
  images: ImageStore
}

export interface TransferProgress {
  bytesDone: number
  bytesTotal: number
  /** The archive entry (or phase) being worked on. */
  current: string
}

export interface ImportOptions extends NamingOptions {
  /** Keep every platform's blobs (ctr --all-platforms). */
  allPlatforms?: boolean
  /** The one platform to keep, as a specifier or matcher; default: this host, as ctr's default. */
  platform?: string | Platform | MatchComparer
  /** This machine's platform, the default choice (tests pass one to stay machine-independent). */
  host?: Platform
  /**
   * Labels for the image records. An image that already exists keeps its labels unless these are given
   * (then they replace them), as containerd's import updates only the target otherwise.
   */
  labels?: Record<string, string>
  signal?: AbortSignal
  onProgress?: (p: TransferProgress) => void
  /** Read the archive from this stream (e.g. stdin) instead of the file named by `file`. */
  stream?: Readable
  /** Decompress the selected platforms' layers and check them against the configs' rootfs.diff_ids. */
  verifyDiffIds?: boolean
  /** Bound on a layer's uncompressed bytes while verifying (default: images/diffid's). */
  maxUncompressed?: number
  /** Most archive entries (default archive.ts's MAX_ARCHIVE_ENTRIES). */
  maxEntries?: number
  /** Most descriptors the archive's documents may name in total (default MAX_IMPORT_DESCRIPTORS). */
  maxDescriptors?: number
  /** Bound on a compressed archive's expanded bytes given its compressed bytes (default: 128× + 256 MiB). */
  maxExpanded?: (compressed: number) => number
  /** Free bytes under the store (default: statfs); injectable so tests can play a full disk. */
  freeSpace?: FreeSpace
}

/** An image the archive names but that has nothing for the chosen platform: no record is written for it. */
export interface SkippedImage {
  name: string
  reason: string
}

export interface ImportResult {
  images: Image[]
  /** index.json as stored (for a docker-save archive, the index Berth wrote). */
  index: Descriptor
  format: 'oci' | 'docker'
  compression: Compression | 'directory'
  /** Blobs the archive added to the namespace (and kept). */
  added: number
  skipped: SkippedImage[]
}

/**
 * Descriptors an import's documents may name in total, each distinct one visited once: a thousand images
 * of a thousand blobs each, while a crafted graph of indexes listing indexes stops here.
 */
export const MAX_IMPORT_DESCRIPTORS = 1_000_000

/**
 * This host's platform, as ctr's import takes it by default. macOS and FreeBSD run Linux images (in a VM)
 * and containerd's Default() there is the host, then linux on the same architecture: the same here, so a
 * plain import on a Mac keeps the Linux image it was given.
 */
function hostMatcher(host: Platform): MatchComparer {
  return host.os === 'darwin' || host.os === 'freebsd' ? defaultMatcher(host) : ordered(host)
}

function platformMatcher(opts: ImportOptions): MatchComparer | undefined {
  if (opts.allPlatforms) return undefined
  const p = opts.platform
  if (p === undefined) return hostMatcher(opts.host ?? hostPlatform())
  if (typeof p === 'string') return ordered(parsePlatform(p))
  if ('match' in p) return p
  return ordered(p)
}

function platformText(opts: ImportOptions): string {
  const p = opts.platform
  if (p === undefined) {
    const host = opts.host ?? hostPlatform()
    const linux = host.os === 'darwin' || host.os === 'freebsd' ? ` (or linux/${host.architecture})` : ''
    return `${formatPlatform(host)}${linux}`
  }
  if (typeof p === 'string') return p
  return 'os' in p ? formatPlatform(p) : 'the requested platforms'
}

function describe(desc: Descriptor): string {
  if (isIndexType(desc.mediaType)) return 'index'
  if (isManifestType(desc.mediaType)) return 'manifest'
  return `blob (${quoteName(desc.mediaType)})`
}

const visitKey = (d: Descriptor) => `${d.mediaType} ${d.digest}`

interface WalkState {
  /** Visit keys (media type and digest), as visitOnce records them. */
  seen: Set<string>
  /** Each visited descriptor's children that passed the platform filter, by visit key. */
  kept: Map<string, Descriptor[]>
  manifests: Descriptor[]
}

/**
 * children(), after checking the blob is there (in the archive or the namespace), its size is what the
 * parent says and a document is not oversized, and committing it from the spool if it waits there.
 */
function verifyingChildren(
  contents: ArchiveContents,
  ctx: ImportContext,
  ns: string,
  w: WalkState,
  root: string,
): Handler {
  const provider = ctx.content.provider(ns)
  return async (desc) => {
    if (!isDigest(desc.digest)) {
      throw invalidArgument(
        `the archive names a ${describe(desc)} by an invalid digest ${quoteName(desc.digest)}`,
      )
    }
    const size = await contents.blobSize(desc.digest)
    if (size === undefined) {
      // Foreign (non-distributable) layers are legitimately absent from archives.
      if (isNonDistributable(desc.mediaType)) return []
      throw notFound(`${describe(desc)} ${desc.digest} is named in the archive but is not in it`)
    }
    if (size !== desc.size) {
      throw invalidArgument(
        `descriptor of ${describe(desc)} ${desc.digest} says ${desc.size} bytes, but the blob has ${size}`,
      )
    }
    const document =
      isManifestType(desc.mediaType) || isIndexType(desc.mediaType) || isSchema1Type(desc.mediaType)
    // index.json itself was read through the 20 MiB metadata limit; the documents it leads to are manifests.
    if (document && size > MAX_MANIFEST_SIZE && desc.digest !== root) {
      throw invalidArgument(
        `${describe(desc)} ${desc.digest} is ${size} bytes, over the ${MAX_MANIFEST_SIZE}-byte manifest limit`,
      )
    }
    await contents.materialize(desc.digest, desc.mediaType)
    if (isManifestType(desc.mediaType)) w.manifests.push(desc)
    if (isIndexType(desc.mediaType)) {
      const idx = await readIndex(provider, desc, 'import')
      checkIndexVersion(idx, `index ${desc.digest}`)
      return idx.manifests
    }
    return children(provider, desc)
  }
}

/** The import's walk: each descriptor once, the total bounded, the platform filter recorded per index. */
function importHandler(
  contents: ArchiveContents,
  ctx: ImportContext,
  ns: string,
  w: WalkState,
  matcher: MatchComparer | undefined,
  opts: ImportOptions,
  what: string,
  root: string,
): Handler {
  const labelled = setChildrenLabels(ctx.content, ns, verifyingChildren(contents, ctx, ns, w, root))
  const filtered = filterPlatforms(labelled, matcher)
  const recorded: Handler = async (desc, signal) => {
    if (opts.signal?.aborted) throw unavailable(`import of ${what}: cancelled`)
    const kids = await filtered(desc, signal)
    w.kept.set(visitKey(desc), kids)
    return kids
  }
  return visitOnce(capDescriptors(recorded, opts.maxDescriptors ?? MAX_IMPORT_DESCRIPTORS, what), w.seen)
}

/** Whether the walk kept any manifest under `d` (a manifest itself counts when it was visited). */
function selector(w: WalkState): (d: Descriptor) => boolean {
  const memo = new Map<string, boolean>()
  const selected = (d: Descriptor): boolean => {
    const key = visitKey(d)
    const known = memo.get(key)
    if (known !== undefined) return known
    memo.set(key, false)
    let r = w.seen.has(key)
    if (r && isIndexType(d.mediaType)) r = (w.kept.get(key) ?? []).some(selected)
    memo.set(key, r)
    return r
  }
  return selected
}

/** The digests the walk reached from the images being recorded: what the import keeps. */
function reachable(w: WalkState, targets: Descriptor[]): Set<string> {
  const out = new Set<string>()
  const done = new Set<string>()
  const stack = [...targets]
  for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
    const key = visitKey(d)
    if (done.has(key) || !w.seen.has(key)) continue
    done.add(key)
    out.add(d.digest)
    stack.push(...(w.kept.get(key) ?? []))
  }
  return out
}

/** Images with nothing for the platform are skipped; when that is every named image, the import is refused. */
function platformChoice(
  named: NamedTarget[],
  w: WalkState,
  file: string,
  opts: ImportOptions,
): { keep: NamedTarget[]; skipped: SkippedImage[] } {
  if (opts.allPlatforms) return { keep: named, skipped: [] }
  const selected = selector(w)
  const keep: NamedTarget[] = []
  const skipped: SkippedImage[] = []
  const which = platformText(opts)
  for (const n of named) {
    if (selected(n.target)) keep.push(n)
    else
      skipped.push({ name: n.name, reason: `no match for platform ${which} in manifest ${n.target.digest}` })
  }
  if (named.length > 0 && keep.length === 0) {
    const names = skipped.map((s) => quoteName(s.name))
    throw notFound(
      `${file}: no match for platform ${which} in ${names.length === 1 ? `image ${names[0]}` : `any of its images (${listed(names)})`}: use --all-platforms or another --platform`,
    )
  }
  return { keep, skipped }
}

function listed(names: string[], max = 10): string {
  const shown = names.slice(0, max).join(', ')
  return names.length > max ? `${shown} and ${names.length - max} more` : shown
}

/** Image names for the archive; a --base-name none of its names falls under is refused, listing them. */
function namesFor(index: Descriptor, entries: Descriptor[], opts: ImportOptions): NamedTarget[] {
  const named = importNames(index, entries, opts)
  if (named.length === 0 && opts.baseName) {
    const have = archiveImageNames(entries)
    if (have.length > 0) {
      throw notFound(
        `--base-name ${quoteName(opts.baseName)} matches none of the archive's image names; it has ${listed(have.map(quoteName))}`,
      )
    }
  }
  return named
}

/** Image manifests only (attestations and other artifacts have no diff IDs to check). */
async function verifyLayers(
  ctx: ImportContext,
  ns: string,
  manifests: Descriptor[],
  opts: ImportOptions,
): Promise<void> {
  const provider = ctx.content.provider(ns)
  for (const desc of manifests) {
    const m = await readManifest(provider, desc, 'import')
    if (!isConfigType(m.config.mediaType) || !m.layers.every((l) => isLayerType(l.mediaType))) continue
    await verifyDiffIDs(ctx.content, ns, m, m.config, {
      maxUncompressed: opts.maxUncompressed,
      signal: opts.signal,
    })
  }
}

/**
 * containerd's import: an image that exists gets the new target and keeps its labels, unless labels were
 * given (they replace its labels); a new one is created.
 */
function saveImages(ctx: ImportContext, ns: string, named: NamedTarget[], opts: ImportOptions): Image[] {
  return ctx.images.transaction(() =>
    named.map(({ name, target }) => {
      const image = { name, target, labels: opts.labels ?? {} }
      try {
        return ctx.images.update(ns, image, 'target', ...(opts.labels ? ['labels'] : []))
      } catch (e) {
        if (!isKind(e, 'not-found')) throw e
        return ctx.images.create(ns, image)
      }
    }),
  )
}

export async function importArchive(
  ctx: ImportContext,
  ns: string,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  validateNamespace(ns)
  let isDir = false
  if (!opts.stream) {
    try {
      isDir = statSync(file).isDirectory()
    } catch {
      throw notFound(`archive ${file}: no such file or directory`)
    }
  }
  const matcher = platformMatcher(opts)
  let bytesDone = 0
  let bytesTotal = 0
  let current = ''
  const progress = () => opts.onProgress?.({ bytesDone, bytesTotal, current })
  const phase = (p: string) => {
    current = p
    progress()
  }
  const onBytes = (d: number, t: number) => {
    bytesDone = d
    bytesTotal = t
    progress()
  }
  const checkCancel = () => {
    if (opts.signal?.aborted) throw unavailable(`import of ${file}: cancelled`)
  }
  const ingestDir = join(ctx.content.root, INGEST_DIR)
  sweepSpools(ingestDir, ctx.db)

  return withLease(ctx.db, ns, async (lease) => {
    const spool = new Spool(spoolPath(ingestDir, lease))
    const contents = new ArchiveContents(ctx.content, ns, lease, {
      spool,
      space: new SpaceGuard(ctx.content.root, opts.freeSpace),
      // Entry names are shown as progress: never raw.
      onEntry: (p) => phase(escapeControls(p)),
    })
    const read = { signal: opts.signal, onBytes, maxEntries: opts.maxEntries }
    try {
      let compression: ImportResult['compression'] = 'directory'
      if (isDir) await readLayoutDirectory(file, contents, read)
      else
        compression = await readTarArchive(file, contents, {
          ...read,
          stream: opts.stream,
          maxExpanded: opts.maxExpanded,
        })
      checkCancel()

      const oci =
        contents.meta.has('oci-layout') ||
        (contents.meta.has('index.json') && !contents.meta.has('manifest.json'))
      if (!oci && !contents.meta.has('manifest.json')) {
        throw invalidArgument(
          `${file}: unrecognized image format (no oci-layout and index.json, nor a docker-save manifest.json)`,
        )
      }
      phase('resolving')
      const { index, entries } = oci
        ? await ociLayoutIndex(contents)
        : await dockerSaveIndex(contents, ctx.content.provider(ns))

      const w: WalkState = { seen: new Set(), kept: new Map(), manifests: [] }
      try {
        await walkNotEmpty(importHandler(contents, ctx, ns, w, matcher, opts, file, index.digest), index)
      } catch (e) {
        if (!isEmptyWalk(e)) throw e
        throw notFound(
          `${file}: no match for platform ${platformText(opts)} in the archive: use --all-platforms or another --platform`,
        )
      }
      checkCancel()
      if (opts.verifyDiffIds) {
        phase('verifying diff IDs')
        await verifyLayers(ctx, ns, w.manifests, opts)
      }

      phase('saving')
      const { keep, skipped } = platformChoice(namesFor(index, entries, opts), w, file, opts)
      // Other platforms' blobs, images skipped or left unnamed, junk the archive carried: not kept past
      // the import, so nothing claims more than the store holds.
      await contents.pruneUnreached(
        reachable(
          w,
          keep.map((n) => n.target),
        ),
      )
      const images = saveImages(ctx, ns, keep, opts)
      phase('done')
      return {
        images,
        index,
        format: oci ? 'oci' : 'docker',
        compression,
        added: contents.added.size,
        skipped,
      }
    } catch (e) {
      await contents.rollback()
      throw e
    } finally {
      await spool.dispose()
    }
  })
}
