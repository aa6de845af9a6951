// A layer's diff ID: the digest of its uncompressed tar, which the image config's rootfs.diff_ids lists.
// Computed by streaming decompression (never holding the layer in memory), bounded so that a
// decompression bomb fails fast, and cached on the blob as the containerd.io/uncompressed label.
import { createHash } from 'node:crypto'
import { Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import { detectCompression } from '../compression'
import { blobChunks, type Provider } from '../content/provider'
import { algorithmOf } from '../digest'
import { BerthError, failedPrecondition, invalidArgument } from '../errors'
import { LABEL_UNCOMPRESSED } from '../labels'
import {
  MediaTypeDockerLayer,
  MediaTypeDockerLayerForeign,
  MediaTypeOCILayer,
  MediaTypeOCILayerNonDistributable,
  parseDigest,
  type Descriptor,
  type Digest,
  type ImageConfig,
  type Manifest,
} from '../oci'
import { readDiffIDs } from './documents'
import type { LabelStore } from './gc-labels'

/** What getDiffID needs from the content store; the real ContentStore satisfies it. */
export interface DiffIDStore extends LabelStore {
  provider(ns: string): Provider
}

export interface DiffIDOptions {
  /** Most uncompressed bytes accepted before giving up with InvalidArgument. Default: defaultMaxUncompressed. */
  maxUncompressed?: number
  signal?: AbortSignal
}

/**
 * Generous for real layers (typically 2–10× compressed, zero-filled files more) yet far below the ~1000×
 * a gzip bomb reaches, with a floor so small layers full of zeros still pass.
 */
export function defaultMaxUncompressed(compressedSize: number): number {
  return 128 * Math.max(0, compressedSize) + 256 * 1024 * 1024
}

/** Types that are the uncompressed tar itself. */
const UNCOMPRESSED_TYPES = new Set([
  MediaTypeDockerLayer,
  MediaTypeOCILayer,
  MediaTypeDockerLayerForeign,
  MediaTypeOCILayerNonDistributable,
])

export async function getDiffID(
  cs: DiffIDStore,
  ns: string,
  desc: Descriptor,
  opts: DiffIDOptions = {},
): Promise<Digest> {
  if (UNCOMPRESSED_TYPES.has(desc.mediaType)) return desc.digest
  const info = await cs.info(ns, desc.digest)
  const cached = info.labels?.[LABEL_UNCOMPRESSED]
  if (cached !== undefined) {
    try {
      return parseDigest(cached)
    } catch (e) {
      throw invalidArgument(
        `layer ${desc.digest}: label ${LABEL_UNCOMPRESSED} is not a digest: ${(e as Error).message}`,
      )
    }
  }
  const max = opts.maxUncompressed ?? defaultMaxUncompressed(desc.size)
  const { digest: diffID } = await uncompressedStats(cs.provider(ns), desc, max, opts.signal)
  try {
    await cs.update(
      ns,
      { digest: desc.digest, labels: { [LABEL_UNCOMPRESSED]: diffID } },
      `labels.${LABEL_UNCOMPRESSED}`,
    )
  } catch {
    // Only a cache: like containerd, a failed write does not make the computed value wrong.
  }
  return diffID
}

export { detectCompression }

const bombs = new WeakSet<BerthError>()
const undecodable = new WeakSet<BerthError>()

/** True for the error uncompressedStats gives when a layer decompresses past its bound. */
export function isDecompressionBomb(e: unknown): boolean {
  return e instanceof BerthError && bombs.has(e)
}

/** True for the error uncompressedStats gives when a layer's bytes are not a stream of its compression. */
export function isUndecodable(e: unknown): boolean {
  return e instanceof BerthError && undecodable.has(e)
}

/**
 * Streams the blob through the detected decompressor into a hash, checking on the way that the compressed
 * bytes are the blob they claim to be (so a corrupt blob never gets a cached diff ID), and that they
 * decompress to at most `max` bytes. Gives the diff ID and the uncompressed size.
 */
export async function uncompressedStats(
  p: Provider,
  desc: Descriptor,
  max: number,
  signal?: AbortSignal,
): Promise<{ digest: Digest; size: number }> {
  const compressedHash = createHash(algorithmOf(desc.digest))
  const source = (await blobChunks(p, desc))[Symbol.asyncIterator]()
  // Sniff the first bytes (containerd peeks 10) without losing them.
  const head: Uint8Array[] = []
  let headLen = 0
  while (headLen < 10) {
    const r = await source.next()
    if (r.done) break
    head.push(r.value)
    headLen += r.value.length
  }
  const kind = detectCompression(Buffer.concat(head))
  let compressed = 0
  const counted = (c: Uint8Array): Uint8Array => {
    // A descriptor smaller than the stored blob: stop at its size instead of reading the whole blob.
    if ((compressed += c.length) > desc.size) {
      throw failedPrecondition(
        `layer blob ${desc.digest} is corrupt: it is larger than the ${desc.size} bytes its descriptor says`,
      )
    }
    compressedHash.update(c)
    return c
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      for (const c of head) yield counted(c)
      for (let r = await source.next(); !r.done; r = await source.next()) yield counted(r.value)
    } finally {
      // Stopping early (bomb, abort) must release the underlying file.
      await source.return?.()
    }
  }
  const hash = createHash('sha256')
  let total = 0
  const tooBig = (): BerthError => {
    const e = invalidArgument(
      `layer ${desc.digest} decompresses to more than ${max} bytes (from ${desc.size}); refusing it as a likely decompression bomb — raise maxUncompressed if the layer is genuine`,
    )
    bombs.add(e)
    return e
  }
  const sink = async (chunks: AsyncIterable<Uint8Array>): Promise<void> => {
    for await (const c of chunks) {
      total += c.length
      if (total > max) throw tooBig()
      hash.update(c)
    }
  }
  const input = Readable.from(all(), { objectMode: false })
  try {
    if (kind === 'none') await pipeline(input, sink, { signal })
    else await pipeline(input, decompressor(kind), sink, { signal })
  } catch (e) {
    if (e instanceof BerthError) throw e
    if ((e as Error).name === 'AbortError') throw e
    const bad = invalidArgument(
      `layer ${desc.digest}: cannot decompress its ${kind} stream: ${(e as Error).message}`,
      e,
    )
    undecodable.add(bad)
    throw bad
  }
  const actual = `${algorithmOf(desc.digest)}:${compressedHash.digest('hex')}`
  if (actual !== desc.digest) {
    throw failedPrecondition(`layer blob ${desc.digest} is corrupt: its content hashes to ${actual}`)
  }
  return { digest: `sha256:${hash.digest('hex')}`, size: total }
}

function decompressor(kind: 'gzip' | 'zstd'): Transform {
  return kind === 'gzip' ? createGunzip() : createZstdDecompress()
}

/**
 * Checks that the manifest's layers, decompressed, are exactly the config's rootfs.diff_ids, in order.
 * `config` is the parsed config or its descriptor. Returns the diff IDs.
 */
export async function verifyDiffIDs(
  cs: DiffIDStore,
  ns: string,
  manifest: Manifest,
  config: Pick<ImageConfig, 'rootfs'> | Descriptor,
  opts: DiffIDOptions = {},
): Promise<Digest[]> {
  const expected =
    'rootfs' in config
      ? [...(config.rootfs?.diff_ids ?? [])]
      : await readDiffIDs(cs.provider(ns), config as Descriptor)
  if (expected.length !== manifest.layers.length) {
    throw invalidArgument(
      `mismatched image rootfs and manifest layers: the config lists ${expected.length} diff IDs for ${manifest.layers.length} layers`,
    )
  }
  const out: Digest[] = []
  for (const [i, layer] of manifest.layers.entries()) {
    const got = await getDiffID(cs, ns, layer, opts)
    if (got !== expected[i]) {
      throw invalidArgument(
        `layer ${i} (${layer.digest}) has diff ID ${got} but the config's rootfs.diff_ids[${i}] is ${expected[i]}`,
      )
    }
    out.push(got)
  }
  return out
}
