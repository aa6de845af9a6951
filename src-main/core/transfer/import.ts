// `images import`: one streaming pass over the archive into the content store under a lease, then the
// archive's index is walked (verifying presence, sizes and documents, and labelling parents so GC keeps
// the selected platforms' blobs), and only then are image records written, all in one transaction. On
// any failure the blobs this import added are taken back out and no record is written.
import { statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { Database } from '../db'
import type { ContentStore } from '../content/store'
import { BerthError, invalidArgument, notFound, unavailable } from '../errors'
import type { Image, ImageStore } from '../images/store'
import { children, filterPlatforms, setChildrenLabels } from '../images/handlers'
import { verifyDiffIDs } from '../images/diffid'
import { readManifest } from '../images/documents'
import {
  isConfigType,
  isIndexType,
  isLayerType,
  isManifestType,
  isNonDistributable,
  isSchema1Type,
  MAX_MANIFEST_SIZE,
} from '../images/mediatypes'
import { isEmptyWalk, walkNotEmpty, type Handler } from '../images/walk'
import { withLease } from '../leases'
import { validateNamespace } from '../namespace'
import type { Descriptor, Platform } from '../oci'
import {
  format as formatPlatform,
  hostPlatform,
  ordered,
  parse as parsePlatform,
  type MatchComparer,
} from '../platforms'
import { readLayoutDirectory, readTarArchive, type Compression } from './archive'
import { ArchiveContents } from './collect'
import { dockerSaveIndex } from './docker-import'
import { importNames, type NamingOptions } from './names'
import { ociLayoutIndex } from './oci-import'

export interface ImportContext {
  db: Database
  content: ContentStore
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
  /** Labels for every image record created. */
  labels?: Record<string, string>
  signal?: AbortSignal
  onProgress?: (p: TransferProgress) => void
  /** Read the archive from this stream (e.g. stdin) instead of the file named by `file`. */
  stream?: Readable
  /** Decompress the selected platforms' layers and check them against the configs' rootfs.diff_ids. */
  verifyDiffIds?: boolean
  /** Bound on a layer's uncompressed bytes while verifying (default: images/diffid's). */
  maxUncompressed?: number
}

export interface ImportResult {
  images: Image[]
  /** index.json as stored (for a docker-save archive, the index Berth wrote). */
  index: Descriptor
  format: 'oci' | 'docker'
  compression: Compression | 'directory'
  /** Blobs the archive added to the namespace. */
  added: number
}

function platformMatcher(opts: ImportOptions): MatchComparer | undefined {
  if (opts.allPlatforms) return undefined
  const p = opts.platform
  if (p === undefined) return ordered(hostPlatform())
  if (typeof p === 'string') return ordered(parsePlatform(p))
  if ('match' in p) return p
  return ordered(p)
}

function describe(desc: Descriptor): string {
  if (isIndexType(desc.mediaType)) return 'index'
  if (isManifestType(desc.mediaType)) return 'manifest'
  return `blob (${desc.mediaType})`
}

/** children(), after checking the blob is there, its size is what the parent says, and a document is not oversized. */
function verifyingChildren(
  contents: ArchiveContents,
  ctx: ImportContext,
  ns: string,
  root: Descriptor,
  manifests: Descriptor[],
): Handler {
  const provider = ctx.content.provider(ns)
  return async (desc) => {
    if (desc === root) return children(provider, desc)
    if (isManifestType(desc.mediaType)) manifests.push(desc)
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
    if (document && size > MAX_MANIFEST_SIZE) {
      throw invalidArgument(
        `${describe(desc)} ${desc.digest} is ${size} bytes, over the ${MAX_MANIFEST_SIZE}-byte manifest limit`,
      )
    }
    return children(provider, desc)
  }
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
  const onBytes = (d: number, t: number) => {
    bytesDone = d
    bytesTotal = t
    progress()
  }
  const checkCancel = () => {
    if (opts.signal?.aborted) throw unavailable(`import of ${file}: cancelled`)
  }

  return withLease(ctx.db, ns, async (lease) => {
    const contents = new ArchiveContents(ctx.content, ns, lease, (p) => {
      current = p
      progress()
    })
    try {
      let compression: ImportResult['compression'] = 'directory'
      if (isDir) await readLayoutDirectory(file, contents, { signal: opts.signal, onBytes })
      else
        compression = await readTarArchive(file, contents, {
          signal: opts.signal,
          onBytes,
          stream: opts.stream,
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
      current = 'resolving'
      progress()
      const { index, entries } = oci
        ? await ociLayoutIndex(contents, ctx.content, ns, lease)
        : await dockerSaveIndex(contents, ctx.content, ns, lease)

      const manifests: Descriptor[] = []
      const h = filterPlatforms(
        setChildrenLabels(ctx.content, ns, verifyingChildren(contents, ctx, ns, index, manifests)),
        matcher,
      )
      try {
        await walkNotEmpty(async (d) => {
          checkCancel()
          return h(d)
        }, index)
      } catch (e) {
        if (isEmptyWalk(e)) {
          const which =
            opts.platform !== undefined
              ? String(
                  typeof opts.platform === 'object' && 'os' in opts.platform
                    ? formatPlatform(opts.platform)
                    : opts.platform,
                )
              : formatPlatform(hostPlatform())
          throw notFound(
            `${file}: no image for platform ${which} (use --all-platforms or another --platform)`,
          )
        }
        throw e
      }
      checkCancel()
      if (opts.verifyDiffIds) {
        current = 'verifying diff IDs'
        progress()
        await verifyLayers(ctx, ns, manifests, opts)
      }

      current = 'saving'
      progress()
      const named = importNames(index, entries, opts)
      const images = ctx.images.transaction(() =>
        named.map(({ name, target }) => {
          const image = { name, target, labels: opts.labels ?? {} }
          try {
            return ctx.images.create(ns, image)
          } catch (e) {
            if (e instanceof BerthError && e.kind === 'already-exists') return ctx.images.update(ns, image)
            throw e
          }
        }),
      )
      current = 'done'
      progress()
      return { images, index, format: oci ? 'oci' : 'docker', compression, added: contents.added.size }
    } catch (e) {
      await contents.rollback()
      throw e
    }
  })
}
