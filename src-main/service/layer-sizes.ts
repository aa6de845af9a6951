// Uncompressed layer sizes. Learning one means decompressing the whole layer, so each is computed once,
// cached by digest (a digest's content never changes), and skipped for layers too large to do inline.
import { Readable } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import type { Database } from '../core/db'
import { blobChunks, type Provider } from '../core/content/provider'
import type { Descriptor } from '../core/oci'

const INLINE_LIMIT = 256 << 20

export function cachedUncompressed(db: Database, digests: string[]): Map<string, number> {
  const get = db.prepare('SELECT uncompressed_size FROM layer_sizes WHERE digest = ?').pluck()
  const out = new Map<string, number>()
  for (const d of digests) {
    const v = get.get(d) as number | undefined
    if (v !== undefined) out.set(d, v)
  }
  return out
}

function compressionOf(mediaType: string): 'gzip' | 'zstd' | 'none' | null {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.gzip')) return 'gzip'
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) return 'zstd'
  if (mediaType.endsWith('.tar') || mediaType.endsWith('diff.tar')) return 'none'
  return null
}

/** Fills the cache for the given present layers; returns all sizes known afterwards. */
export async function uncompressedSizes(
  db: Database,
  provider: Provider,
  layers: Descriptor[],
): Promise<Map<string, number>> {
  const known = cachedUncompressed(
    db,
    layers.map((l) => l.digest),
  )
  const put = db.prepare('INSERT OR REPLACE INTO layer_sizes (digest, uncompressed_size) VALUES (?, ?)')
  for (const l of layers) {
    if (known.has(l.digest)) continue
    const c = compressionOf(l.mediaType)
    if (c === null || l.size > INLINE_LIMIT) continue
    if (c === 'none') {
      known.set(l.digest, l.size)
      continue
    }
    try {
      const n = await countDecompressed(provider, l, c)
      put.run(l.digest, n)
      known.set(l.digest, n)
    } catch {
      // Unreadable or corrupt: the size stays unknown rather than wrong.
    }
  }
  return known
}

async function countDecompressed(provider: Provider, d: Descriptor, c: 'gzip' | 'zstd'): Promise<number> {
  const source = Readable.from(await blobChunks(provider, d))
  const z = c === 'gzip' ? createGunzip() : createZstdDecompress()
  let n = 0
  for await (const chunk of source.pipe(z)) n += (chunk as Buffer).length
  return n
}
