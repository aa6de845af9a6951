// Indexing one platform image's files: each layer not yet indexed is read once (shared layers are already
// there), then the layers are stacked into the merged tree for their chain ID — unless that tree exists,
// which makes indexing an image whose layers another image already has nearly free.
import { bulkWrites } from '../checkpoints'
import type { Database } from '../db'
import type { Provider } from '../content/provider'
import { invalidArgument } from '../errors'
import type { Descriptor, Digest } from '../oci'
import { chainId } from './chain'
import { findLayer, indexLayer, layerEntries, type IndexedLayer } from './layer-index'
import { DEFAULT_STACK_LIMITS, stackLayers, type StackLimits } from './merged-tree'
import type { LayerEntry } from './entry'
import type { EntryLimits } from './tar-entries'
import { findTree, writeTree, type StoredTree } from './tree-store'

export interface ImageLayer {
  desc: Descriptor
  diffId: Digest
  /** The blob's diff ID is already proven (a containerd.io/uncompressed label, or an uncompressed type). */
  verified: boolean
}

export interface IndexImageOptions {
  signal?: AbortSignal
  /** phase, bytes done, bytes to read in all. */
  progress?: (phase: string, done: number, total: number) => void
  /** A layer's diff ID was proven by hashing it (the caller may cache it as a label). */
  proven?: (layer: ImageLayer) => void
  limits?: EntryLimits
  stackLimits?: StackLimits
  now?: () => number
}

export async function indexImageFiles(
  db: Database,
  provider: Provider,
  layers: ImageLayer[],
  opts: IndexImageOptions = {},
): Promise<StoredTree> {
  const chain = chainId(layers.map((l) => l.diffId))
  const done = findTree(db, chain)
  if (done) return done
  return bulkWrites(db, () => readAndStack(db, provider, layers, chain, opts))
}

async function readAndStack(
  db: Database,
  provider: Provider,
  layers: ImageLayer[],
  chain: Digest,
  opts: IndexImageOptions,
): Promise<StoredTree> {
  const todo = layers.filter((l) => !findLayer(db, l.diffId))
  const total = todo.reduce((n, l) => n + l.desc.size, 0)
  let before = 0
  const indexed = new Map<Digest, IndexedLayer & { read?: LayerEntry[] }>()
  for (const [i, l] of layers.entries()) {
    opts.signal?.throwIfAborted()
    const phase = `reading layer ${i + 1} of ${layers.length}`
    const wasTodo = todo.includes(l)
    const layer = await indexLayer(db, provider, l.desc, l.diffId, {
      verified: l.verified,
      limits: opts.limits,
      signal: opts.signal,
      now: opts.now,
      keep: true,
      onRead: (n) => opts.progress?.(phase, before + n, total),
    })
    if (wasTodo) {
      before += l.desc.size
      if (!l.verified) opts.proven?.(l)
    }
    indexed.set(l.diffId, layer)
  }
  opts.progress?.('stacking layers', total, total)
  const limits = opts.stackLimits ?? DEFAULT_STACK_LIMITS
  const count = layers.reduce((n, l) => n + (indexed.get(l.diffId) as IndexedLayer).entries, 0)
  if (count > limits.maxEntries) {
    throw invalidArgument(
      `the image's layers hold ${count} entries together, more than ${limits.maxEntries}: refusing to stack them`,
    )
  }
  const entries = layers.map((l) => {
    const layer = indexed.get(l.diffId) as IndexedLayer & { read?: LayerEntry[] }
    return layer.read ?? layerEntries(db, layer)
  })
  const stacked = stackLayers(entries, limits)
  return writeTree(
    db,
    chain,
    layers.map((l) => l.diffId),
    stacked,
    layers.map((l) => (indexed.get(l.diffId) as IndexedLayer).tarBytes),
    { signal: opts.signal, now: opts.now },
  )
}
