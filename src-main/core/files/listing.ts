// Views of a stacked tree, each a query on its versions: the merged tree (what a container sees), or the
// tree as of layer p with that layer's changes marked as dive marks them — added, modified, and removed
// (shown in the layer that removed them) — optionally only the changes and the directories leading to
// them. A directory page is an index range scan on (tree, dir, name), whatever the tree's size.
import type { Database } from '../db'
import { stmt } from './statements'
import { notFound } from '../errors'
import { typeOf, type FileType } from './entry'
import { FLAG_GONE, FLAG_MODIFIED } from './merged-tree'
import { baseOf, dirOf, displayPath, joinPath, subtreeBounds } from './paths'
import type { StoredTree } from './tree-store'

export type Change = 'added' | 'modified' | 'removed'

export interface TreeRow {
  path: string
  name: string
  type: FileType
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  link: string
  flags: number
  /** Layer position that wrote this version. */
  layer: number
  srcLayer: number
  srcSeq: number
  /** In a layer's view: what that layer did to the path. */
  change?: Change
  /** In a layer's view: a directory holding something that layer changed. */
  touched?: boolean
}

export interface View {
  /** Layer position to view the tree as of; absent: the merged tree. */
  layer?: number
  /** With `layer`: only the changes and the directories leading to them. */
  onlyChanges?: boolean
}

interface RawRow {
  dir: string
  name: string
  kind: number
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  link: string
  flags: number
  first: number
  until: number
  src_layer: number
  src_seq: number
  touched?: number
}

const COLUMNS =
  'v.dir, v.name, v.kind, v.mode, v.uid, v.gid, v.size, v.mtime, v.link, v.flags, v.first, v.until, v.src_layer, v.src_seq'
const TOUCHED = `EXISTS (SELECT 1 FROM file_touched t WHERE t.tree = v.tree AND t.pos = @p AND t.dir = v.dir AND t.name = v.name)`

/** The WHERE clause (on versions `v`) of a view, with its named parameters. */
function viewWhere(tree: StoredTree, view: View): { sql: string; params: Record<string, number> } {
  if (view.layer === undefined) return { sql: 'v.until = @top', params: { top: tree.layers } }
  const p = view.layer
  const removed = `(v.until = @p AND (v.flags & ${FLAG_GONE}) <> 0)`
  if (!view.onlyChanges) return { sql: `((v.first <= @p AND v.until > @p) OR ${removed})`, params: { p } }
  return {
    sql: `(v.first = @p OR ${removed} OR (v.kind = 1 AND v.first <= @p AND v.until > @p AND ${TOUCHED}))`,
    params: { p },
  }
}

function toRow(r: RawRow, view: View): TreeRow {
  const row: TreeRow = {
    path: joinPath(r.dir, r.name),
    name: r.name,
    type: typeOf(r.kind),
    mode: r.mode,
    uid: r.uid,
    gid: r.gid,
    size: r.size,
    mtime: r.mtime,
    link: r.link,
    flags: r.flags,
    layer: r.first,
    srcLayer: r.src_layer,
    srcSeq: r.src_seq,
  }
  const p = view.layer
  if (p !== undefined) {
    if (r.first === p) row.change = r.flags & FLAG_MODIFIED ? 'modified' : 'added'
    else if (r.until === p) row.change = 'removed'
    if (r.touched) row.touched = true
  }
  return row
}

export interface DirPage {
  total: number
  rows: TreeRow[]
}

/** One page of a directory's entries in a view, sorted by name. `dir` is a cleaned path ('' = root). */
export function listDir(
  db: Database,
  tree: StoredTree,
  dir: string,
  view: View,
  page: { offset: number; limit: number },
): DirPage {
  if (dir !== '') {
    const self = entryAt(db, tree, dir, view)
    if (!self || self.type !== 'dir') throw notFound(`${displayPath(dir)} is not a directory in this image`)
  }
  const w = viewWhere(tree, view)
  const touched = view.layer !== undefined ? `, ${TOUCHED} AS touched` : ''
  const params = { ...w.params, tree: tree.id, dir }
  const rows = stmt(
    db,
    `SELECT ${COLUMNS}${touched} FROM file_versions v WHERE v.tree = @tree AND v.dir = @dir AND ${w.sql}
        ORDER BY v.name LIMIT @limit OFFSET @offset`,
  ).all({ ...params, limit: page.limit, offset: page.offset }) as RawRow[]
  const total = stmt(
    db,
    `SELECT count(*) FROM file_versions v WHERE v.tree = @tree AND v.dir = @dir AND ${w.sql}`,
  )
    .pluck()
    .get(params) as number
  return { total, rows: rows.map((r) => toRow(r, view)) }
}

/** The version of `path` a view shows (a removed one too, in the layer that removed it). */
export function entryAt(db: Database, tree: StoredTree, path: string, view: View): TreeRow | undefined {
  const w = viewWhere(tree, { layer: view.layer })
  const r = stmt(
    db,
    `SELECT ${COLUMNS} FROM file_versions v WHERE v.tree = @tree AND v.dir = @dir AND v.name = @name AND ${w.sql}
        ORDER BY v.first DESC LIMIT 1`,
  ).get({ ...w.params, tree: tree.id, dir: dirOf(path), name: baseOf(path) }) as RawRow | undefined
  return r && toRow(r, view)
}

/** Every entry under `dir` in a view (not `dir` itself), parents before children. */
export function subtree(db: Database, tree: StoredTree, dir: string, view: View): TreeRow[] {
  const w = viewWhere(tree, { layer: view.layer })
  const range = dir === '' ? '' : `AND (v.dir = @dir OR (v.dir >= @low AND v.dir < @high))`
  const rows = stmt(
    db,
    `SELECT ${COLUMNS} FROM file_versions v WHERE v.tree = @tree ${range} AND ${w.sql}`,
  ).all({ ...w.params, tree: tree.id, dir, ...subtreeBounds(dir) }) as RawRow[]
  return rows
    .map((r) => toRow(r, view))
    .filter((r) => r.change !== 'removed')
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** What layer p changed under `dir` ('' for everything), sorted by path: dive's layer view, flat. */
export function layerChanges(db: Database, tree: StoredTree, p: number, dir: string): TreeRow[] {
  const range = dir === '' ? '' : `AND (v.dir = @dir OR (v.dir >= @low AND v.dir < @high))`
  const rows = stmt(
    db,
    `SELECT ${COLUMNS} FROM file_versions v WHERE v.tree = @tree ${range}
        AND (v.first = @p OR (v.until = @p AND (v.flags & ${FLAG_GONE}) <> 0))`,
  ).all({ tree: tree.id, p, dir, ...subtreeBounds(dir) }) as RawRow[]
  return rows
    .map((r) => toRow(r, { layer: p }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
