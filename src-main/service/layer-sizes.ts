// Uncompressed layer sizes. Learning one means decompressing the whole layer, so each is computed once,
// cached by digest (a digest's content never changes), bounded as the diff-ID path bounds it (a layer that
// decompresses past that is cached as "too large" and never decompressed again), skipped for layers too
// large to do inline, and stopped when the caller's signal says the view that asked went away.
import type { Database } from '../core/db'
import type { Provider } from '../core/content/provider'
import { blobChunks } from '../core/content/provider'
import { algorithmOf, newHash } from '../core/digest'
import {
  defaultMaxUncompressed,
  isDecompressionBomb,
  isUndecodable,
  uncompressedStats,
} from '../core/images/diffid'
import { isLayerType } from '../core/images/mediatypes'
import { MediaTypeOCILayer, MediaTypeOCILayerNonDistributable, type Descriptor } from '../core/oci'
import { CancelledError } from './errors'

const INLINE_LIMIT = 256 << 20
/** Cached for a layer that decompresses past its bound: its size stays unknown, and is not tried again. */
const TOO_LARGE = -1
/** Cached for a layer whose true bytes (they hash to its digest) do not decompress: the same, for good. */
const UNDECODABLE = -2

function cached(db: Database, digests: string[]): Map<string, number> {
  const get = db.prepare('SELECT uncompressed_size FROM layer_sizes WHERE digest = ?').pluck()
  const out = new Map<string, number>()
  for (const d of digests) {
    const v = get.get(d) as number | undefined
    if (v !== undefined) out.set(d, v)
  }
  return out
}

/** The sizes the cache knows (layers known to be too large to decompress are left out). */
export function cachedUncompressed(db: Database, digests: string[]): Map<string, number> {
  const out = cached(db, digests)
  for (const [d, v] of out) if (v < 0) out.delete(d)
  return out
}

/** Types whose bytes are the uncompressed tar itself (Docker's plain `tar` may still be gzip: its bytes tell). */
const PLAIN = new Set([MediaTypeOCILayer, MediaTypeOCILayerNonDistributable])

/** Fills the cache for the given present layers; returns all sizes known afterwards. */
export async function uncompressedSizes(
  db: Database,
  provider: Provider,
  layers: Descriptor[],
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const known = cached(
    db,
    layers.map((l) => l.digest),
  )
  const put = db.prepare('INSERT OR REPLACE INTO layer_sizes (digest, uncompressed_size) VALUES (?, ?)')
  for (const l of layers) {
    if (known.has(l.digest) || !isLayerType(l.mediaType)) continue
    if (PLAIN.has(l.mediaType)) {
      known.set(l.digest, l.size)
      continue
    }
    if (l.size > INLINE_LIMIT) continue
    if (signal?.aborted) throw new CancelledError('layer sizes: cancelled')
    try {
      const { size } = await uncompressedStats(provider, l, defaultMaxUncompressed(l.size), signal)
      put.run(l.digest, size)
      known.set(l.digest, size)
    } catch (e) {
      if (signal?.aborted) throw new CancelledError('layer sizes: cancelled')
      if (isDecompressionBomb(e)) {
        put.run(l.digest, TOO_LARGE)
        known.set(l.digest, TOO_LARGE)
      } else if (isUndecodable(e) && (await holdsItsDigest(provider, l))) {
        // Bytes that are what the digest names never change, so neither does this failure; a copy
        // damaged on disk is not cached, and is tried again once it is replaced.
        put.run(l.digest, UNDECODABLE)
        known.set(l.digest, UNDECODABLE)
      }
      // Otherwise (unreadable, damaged): the size stays unknown rather than wrong, and is tried again.
    }
  }
  for (const [d, v] of known) if (v < 0) known.delete(d)
  return known
}

/** Whether the stored blob is the one its digest names: read whole, never past its size. */
async function holdsItsDigest(provider: Provider, l: Descriptor): Promise<boolean> {
  try {
    const hash = newHash(algorithmOf(l.digest))
    let n = 0
    for await (const c of await blobChunks(provider, l)) {
      if ((n += c.length) > l.size) return false
      hash.update(c)
    }
    return n === l.size && `${algorithmOf(l.digest)}:${hash.digest('hex')}` === l.digest
  } catch {
    return false
  }
}
