// Stacked trees in SQLite, one per chain ID. Written in batches (the host keeps answering between them)
// under an attempt's own id and marked complete last, as layer indexes are.
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Database } from '../db'
import { stmt } from './statements'
import type { Digest } from '../oci'
import { typeCode } from './entry'
import { listingLine } from './listing-lines'
import type { LayerChanges, Stacked, StackTotals, Version } from './merged-tree'
import { joinPath } from './paths'

export interface TreeStats {
  totals: StackTotals
  layers: (LayerChanges & { tarBytes: number })[]
}

export interface StoredTree {
  id: number
  chainId: Digest
  /** Layer count: `until` of every version in the merged tree. */
  layers: number
  diffIds: Digest[]
  stats: TreeStats
}

export function findTree(db: Database, chainId: Digest): StoredTree | undefined {
  const r = stmt(
    db,
    `SELECT id, chain_id, layers, stats FROM file_trees WHERE chain_id = ? AND complete = 1`,
  ).get(chainId) as { id: number; chain_id: string; layers: number; stats: string } | undefined
  if (!r) return undefined
  const diffIds = stmt(db, 'SELECT diff_id FROM file_tree_layers WHERE tree = ? ORDER BY pos')
    .pluck()
    .all(r.id) as string[]
  return { id: r.id, chainId: r.chain_id, layers: r.layers, diffIds, stats: JSON.parse(r.stats) as TreeStats }
}

const BATCH = 5000
const LINES_PER_CHUNK = 4096

export async function writeTree(
  db: Database,
  chainId: Digest,
  diffIds: Digest[],
  stacked: Stacked,
  tarBytes: number[],
  opts: { signal?: AbortSignal; now?: () => number } = {},
): Promise<StoredTree> {
  const existing = findTree(db, chainId)
  if (existing) return existing
  const stats: TreeStats = {
    totals: stacked.totals,
    layers: stacked.layers.map((l, i) => ({ ...l, tarBytes: tarBytes[i] ?? 0 })),
  }
  const id = Number(
    stmt(db, 'INSERT INTO file_trees (chain_id, layers, stats, started_at) VALUES (?, ?, ?, ?)').run(
      chainId,
      diffIds.length,
      JSON.stringify(stats),
      (opts.now ?? Date.now)(),
    ).lastInsertRowid,
  )
  try {
    const insertLayer = stmt(db, 'INSERT INTO file_tree_layers (tree, pos, diff_id) VALUES (?, ?, ?)')
    db.transaction(() => diffIds.forEach((d, i) => insertLayer.run(id, i, d)))()
    const insert = stmt(
      db,
      `INSERT INTO file_versions (tree, dir, name, first, until, kind, mode, uid, gid, size, mtime, link, flags,
         src_layer, src_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const batch = db.transaction((vs: Version[]) => {
      for (const v of vs) {
        insert.run(
          id,
          v.dir,
          v.name,
          v.first,
          v.until,
          typeCode(v.type),
          v.mode,
          v.uid,
          v.gid,
          v.size,
          v.mtime,
          v.link,
          v.flags,
          v.srcLayer,
          v.srcSeq,
        )
      }
    })
    for (let i = 0; i < stacked.versions.length; i += BATCH) {
      opts.signal?.throwIfAborted()
      batch(stacked.versions.slice(i, i + BATCH))
      await yieldToLoop()
    }
    const touch = stmt(db, 'INSERT INTO file_touched (tree, pos, dir, name) VALUES (?, ?, ?, ?)')
    const waste = stmt(
      db,
      'INSERT INTO file_wasted (tree, path, versions, bytes, layers) VALUES (?, ?, ?, ?, ?)',
    )
    const listing = stmt(db, 'INSERT INTO file_tree_listing (tree, n, data) VALUES (?, ?, ?)')
    const lines = stacked.versions
      .filter((v) => v.until === diffIds.length)
      .map((v) => listingLine(joinPath(v.dir, v.name), v))
      .sort()
    db.transaction(() => {
      stacked.touched.forEach((dirs, pos) => {
        for (const d of dirs) {
          const at = d.lastIndexOf('/')
          touch.run(id, pos, at < 0 ? '' : d.slice(0, at), d.slice(at + 1))
        }
      })
      for (const w of stacked.wasted) waste.run(id, w.path, w.versions, w.bytes, JSON.stringify(w.layers))
      for (let i = 0, n = 0; i < lines.length; i += LINES_PER_CHUNK, n++) {
        listing.run(id, n, lines.slice(i, i + LINES_PER_CHUNK).join('\n'))
      }
    })()
    opts.signal?.throwIfAborted()
    return db.transaction(() => {
      const other = findTree(db, chainId)
      if (other) {
        dropTree(db, id)
        return other
      }
      stmt(db, 'UPDATE file_trees SET complete = 1 WHERE id = ?').run(id)
      return { id, chainId, layers: diffIds.length, diffIds, stats }
    })()
  } catch (e) {
    dropTree(db, id)
    throw e
  }
}

export function dropTree(db: Database, id: number): void {
  db.transaction(() => {
    for (const t of ['file_versions', 'file_touched', 'file_wasted', 'file_tree_listing', 'file_tree_layers'])
      stmt(db, `DELETE FROM ${t} WHERE tree = ?`).run(id)
    stmt(db, 'DELETE FROM file_trees WHERE id = ?').run(id)
  })()
}
