// Stacked trees in SQLite, one per chain ID. Written in batches (the host keeps answering between them)
// under an attempt's own id and marked complete last, as layer indexes are.
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Database } from '../db'
import { stmt } from './statements'
import type { Digest } from '../oci'
import { typeCode } from './entry'
import type { VersionRow } from './listing'
import { escapedLine, escapePath } from './listing-lines'
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
    const insert = stmt(db, 'INSERT INTO file_tree_dirs (tree, dir, data) VALUES (?, ?, ?)')
    const dirs = byDirectory(stacked.versions)
    const batch = db.transaction((group: [string, Keyed[]][]) => {
      for (const [dir, ks] of group) insert.run(id, dir, JSON.stringify(ks.map((k) => versionRow(k.v))))
    })
    // A few thousand directories per batch keeps each write short; the host answers other calls between.
    for (let i = 0; i < dirs.length; i += 2000) {
      opts.signal?.throwIfAborted()
      batch(dirs.slice(i, i + 2000))
      await yieldToLoop()
    }
    const touch = stmt(db, 'INSERT INTO file_touched (tree, pos, dir, name) VALUES (?, ?, ?, ?)')
    const waste = stmt(
      db,
      'INSERT INTO file_wasted (tree, path, versions, bytes, layers) VALUES (?, ?, ?, ?, ?)',
    )
    const listing = stmt(db, 'INSERT INTO file_tree_listing (tree, n, data) VALUES (?, ?, ?)')
    const lines = listingOf(dirs, diffIds.length)
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
    for (const t of [
      'file_tree_dirs',
      'file_touched',
      'file_wasted',
      'file_tree_listing',
      'file_tree_layers',
    ])
      stmt(db, `DELETE FROM ${t} WHERE tree = ?`).run(id)
    stmt(db, 'DELETE FROM file_trees WHERE id = ?').run(id)
  })()
}

interface Keyed {
  /** The name as the listing escapes it: rows and lines are ordered by it (see pathOrder). */
  key: string
  v: Version
}

/**
 * The merged tree's lines in depth-first order, children in the directory rows' order: the order of paths
 * compared name by name (pathOrder), with no sort of a hundred thousand strings.
 */
function listingOf(dirs: [string, Keyed[]][], top: number): string[] {
  const byDir = new Map(dirs)
  const out: string[] = []
  const visit = (dir: string, prefix: string): void => {
    for (const { key, v } of byDir.get(dir) ?? []) {
      if (v.until !== top) continue
      out.push(escapedLine(prefix + key, v))
      if (v.type === 'dir') visit(joinPath(dir, v.name), `${prefix}${key}/`)
    }
  }
  visit('', '')
  return out
}

/**
 * Versions grouped by directory, each group sorted by escaped name then layer: the order entryAt searches
 * and the listing is written in (escaping reorders only names holding control characters or backslashes).
 */
function byDirectory(versions: Version[]): [string, Keyed[]][] {
  const groups = new Map<string, Keyed[]>()
  for (const v of versions) {
    const k = { key: escapePath(v.name), v }
    const g = groups.get(v.dir)
    if (g) g.push(k)
    else groups.set(v.dir, [k])
  }
  for (const g of groups.values())
    g.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.v.first - b.v.first))
  return [...groups]
}

const versionRow = (v: Version): VersionRow => [
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
]
