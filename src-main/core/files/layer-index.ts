// A layer's file index: its entries read once from the blob and stored in SQLite under its diff ID, so a
// base layer shared by a hundred images is read once. The rows go in while the tar streams by, under an
// attempt's own id; only when the whole layer has been read (and its diff ID proven) is the attempt marked
// complete, in one transaction, so a lying or interrupted archive leaves nothing a reader would take.
import type { Database } from '../db'
import { stmt } from './statements'
import type { Provider } from '../content/provider'
import { invalidArgument } from '../errors'
import type { Descriptor, Digest } from '../oci'
import { fromRow, toRow, type EntryRow, type LayerEntry } from './entry'
import { pumpLayer } from './layer-stream'
import { DEFAULT_LIMITS, TarEntries, type EntryLimits } from './tar-entries'

export interface IndexedLayer {
  id: number
  diffId: Digest
  entries: number
  fileBytes: number
  /** Bytes of the uncompressed tar. */
  tarBytes: number
}

export interface IndexLayerOptions {
  /** The diff ID is already proven for this blob (a trusted containerd.io/uncompressed label). */
  verified?: boolean
  limits?: EntryLimits
  maxUncompressed?: number
  signal?: AbortSignal
  /** Compressed bytes read so far. */
  onRead?: (bytes: number) => void
  now?: () => number
  /** Also return the entries read (the caller stacks them next: no need to read them back). */
  keep?: boolean
}

/** Entries per stored chunk: big enough that a layer is a few dozen rows, small enough to stream. */
const CHUNK = 4096

export function findLayer(db: Database, diffId: Digest): IndexedLayer | undefined {
  const r = stmt(
    db,
    `SELECT id, diff_id AS diffId, entries, file_bytes AS fileBytes, tar_bytes AS tarBytes
         FROM file_layers WHERE diff_id = ? AND complete = 1`,
  ).get(diffId) as IndexedLayer | undefined
  return r
}

/** The entries of an indexed layer, in tar order. */
export function layerEntries(db: Database, layer: IndexedLayer): LayerEntry[] {
  const chunks = stmt(db, 'SELECT data FROM file_layer_chunks WHERE layer = ? ORDER BY n')
    .pluck()
    .all(layer.id) as string[]
  const out: LayerEntry[] = []
  for (const c of chunks) for (const r of JSON.parse(c) as EntryRow[]) out.push(fromRow(r))
  return out
}

/**
 * Indexes the layer blob `desc`, whose image says its diff ID is `diffId`, unless that diff ID is indexed
 * already. Without `verified`, the uncompressed bytes are hashed on the way and must match `diffId`.
 */
export async function indexLayer(
  db: Database,
  provider: Provider,
  desc: Descriptor,
  diffId: Digest,
  opts: IndexLayerOptions = {},
): Promise<IndexedLayer & { read?: LayerEntry[] }> {
  const done = findLayer(db, diffId)
  if (done) {
    rememberBlob(db, desc, diffId)
    return done
  }
  const now = opts.now ?? Date.now
  const id = Number(
    stmt(db, 'INSERT INTO file_layers (diff_id, started_at) VALUES (?, ?)').run(diffId, now())
      .lastInsertRowid,
  )
  const insert = stmt(db, 'INSERT INTO file_layer_chunks (layer, n, data) VALUES (?, ?, ?)')
  let rows: EntryRow[] = []
  const kept: LayerEntry[] | undefined = opts.keep ? [] : undefined
  let chunks = 0
  let fileBytes = 0
  const flush = (): void => {
    if (rows.length === 0) return
    insert.run(id, chunks++, JSON.stringify(rows))
    rows = []
  }
  const tar = new TarEntries(
    `layer ${desc.digest}`,
    {
      entry(e) {
        rows.push(toRow(e))
        kept?.push(e)
        if (e.type === 'file') fileBytes += e.size
        if (rows.length >= CHUNK) flush()
        return false
      },
    },
    opts.limits ?? DEFAULT_LIMITS,
  )
  try {
    const r = await pumpLayer(provider, desc, (c) => tar.write(c), {
      hash: !opts.verified,
      maxUncompressed: opts.maxUncompressed,
      signal: opts.signal,
      onRead: opts.onRead,
    })
    await tar.end()
    if (!opts.verified && r.digest !== diffId) {
      throw invalidArgument(
        `layer ${desc.digest} does not match its image: its uncompressed content hashes to ${r.digest}, but the config's rootfs.diff_ids says ${diffId}`,
      )
    }
    flush()
    const layer: IndexedLayer = { id, diffId, entries: tar.count, fileBytes, tarBytes: r.size }
    return db.transaction(() => {
      // Another process (the CLI, a second window) may have finished the same layer meanwhile.
      const other = findLayer(db, diffId)
      if (other) {
        discard(db, id)
        rememberBlob(db, desc, diffId)
        return other
      }
      stmt(
        db,
        'UPDATE file_layers SET complete = 1, entries = ?, file_bytes = ?, tar_bytes = ? WHERE id = ?',
      ).run(layer.entries, layer.fileBytes, layer.tarBytes, id)
      rememberBlob(db, desc, diffId)
      return kept ? { ...layer, read: kept } : layer
    })()
  } catch (e) {
    discard(db, id)
    throw e
  }
}

function rememberBlob(db: Database, desc: Descriptor, diffId: Digest): void {
  stmt(
    db,
    'INSERT OR REPLACE INTO file_layer_blobs (digest, diff_id, media_type, size) VALUES (?, ?, ?, ?)',
  ).run(desc.digest, diffId, desc.mediaType, desc.size)
}

/** Removes an attempt's rows. */
export function discard(db: Database, id: number): void {
  db.transaction(() => {
    stmt(db, 'DELETE FROM file_layer_chunks WHERE layer = ?').run(id)
    stmt(db, 'DELETE FROM file_layers WHERE id = ?').run(id)
  })()
}

/** A blob holding `diffId` that namespace `ns` can read, or undefined. */
export function layerBlobIn(db: Database, ns: string, diffId: Digest): Descriptor | undefined {
  return stmt(
    db,
    `SELECT b.digest, b.media_type AS mediaType, b.size FROM file_layer_blobs b
        WHERE b.diff_id = ? AND EXISTS (SELECT 1 FROM content c WHERE c.namespace = ? AND c.digest = b.digest)
        LIMIT 1`,
  ).get(diffId, ns) as Descriptor | undefined
}
