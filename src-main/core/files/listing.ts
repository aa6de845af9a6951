// Views of a stacked tree: the merged tree (what a container sees), or the tree as of layer p with that
// layer's changes marked as dive marks them — added, modified, and removed (shown in the layer that
// removed them) — optionally only the changes and the directories leading to them. A directory is one
// keyed row holding every version of its entries; a view is a filter over it, so a page costs one read
// (and a directory read once stays decoded for the pages that follow).
import type { Database } from '../db'
import { notFound } from '../errors'
import { typeOf, type FileMeta, type FileType } from './entry'
import { FLAG_GONE, FLAG_MODIFIED } from './merged-tree'
import { baseOf, dirOf, displayPath, joinPath, subtreeBounds } from './paths'
import { escapePath } from './listing-lines'
import { stmt } from './statements'
import type { StoredTree } from './tree-store'

export type Change = 'added' | 'modified' | 'removed'

/** A version as stored: [name, first, until, type code, mode, uid, gid, size, mtime, link, flags, src layer, src seq]. */
export type VersionRow = [
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string,
  number,
  number,
  number,
]
const NAME = 0
const FIRST = 1
const UNTIL = 2
const TYPE = 3
const FLAGS = 10

export interface TreeRow extends FileMeta {
  path: string
  name: string
  type: FileType
  mtime: number
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

/** Whether a view shows a version (removed ones too, in the layer that removed them). */
function shows(tree: StoredTree, view: View, r: VersionRow): boolean {
  const p = view.layer
  if (p === undefined) return r[UNTIL] === tree.layers
  return (r[FIRST] <= p && r[UNTIL] > p) || (r[UNTIL] === p && (r[FLAGS] & FLAG_GONE) !== 0)
}

function toRow(dir: string, r: VersionRow, view: View): TreeRow {
  const row: TreeRow = {
    path: joinPath(dir, r[NAME]),
    name: r[NAME],
    type: typeOf(r[TYPE]),
    mode: r[4],
    uid: r[5],
    gid: r[6],
    size: r[7],
    mtime: r[8],
    link: r[9],
    flags: r[FLAGS],
    layer: r[FIRST],
    srcLayer: r[11],
    srcSeq: r[12],
  }
  const p = view.layer
  if (p !== undefined) {
    if (r[FIRST] === p) row.change = r[FLAGS] & FLAG_MODIFIED ? 'modified' : 'added'
    else if (r[UNTIL] === p) row.change = 'removed'
  }
  return row
}

// Decoded directories, most recently used last: paging through a big one decodes it once.
const decoded = new WeakMap<Database, Map<string, VersionRow[]>>()
const DECODED_DIRS = 256

function dirRows(db: Database, tree: StoredTree, dir: string): VersionRow[] {
  let cache = decoded.get(db)
  if (!cache) decoded.set(db, (cache = new Map()))
  const key = `${tree.id}\0${dir}`
  const hit = cache.get(key)
  if (hit) {
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const data = stmt(db, 'SELECT data FROM file_tree_dirs WHERE tree = ? AND dir = ?')
    .pluck()
    .get(tree.id, dir) as string | undefined
  const rows = data ? (JSON.parse(data) as VersionRow[]) : []
  cache.set(key, rows)
  if (cache.size > DECODED_DIRS) cache.delete(cache.keys().next().value as string)
  return rows
}

function touchedIn(db: Database, tree: StoredTree, p: number, dir: string): Set<string> {
  const names = stmt(db, 'SELECT name FROM file_touched WHERE tree = ? AND pos = ? AND dir = ?')
    .pluck()
    .all(tree.id, p, dir) as string[]
  return new Set(names)
}

/** The entries of `dir` a view shows, sorted by name, with its touched directories marked. */
function viewOf(db: Database, tree: StoredTree, dir: string, view: View): TreeRow[] {
  const rows = dirRows(db, tree, dir).filter((r) => shows(tree, view, r))
  if (view.layer === undefined) return rows.map((r) => toRow(dir, r, view))
  const touched = touchedIn(db, tree, view.layer, dir)
  const out: TreeRow[] = []
  for (const r of rows) {
    const row = toRow(dir, r, view)
    if (row.type === 'dir' && touched.has(row.name)) row.touched = true
    if (view.onlyChanges && !row.change && !row.touched) continue
    out.push(row)
  }
  return out
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
  const rows = viewOf(db, tree, dir, view)
  return { total: rows.length, rows: rows.slice(page.offset, page.offset + page.limit) }
}

/** The version of `path` a view shows (a removed one too, in the layer that removed it). */
export function entryAt(db: Database, tree: StoredTree, path: string, view: View): TreeRow | undefined {
  const dir = dirOf(path)
  const name = baseOf(path)
  const plain: View = view.layer === undefined ? {} : { layer: view.layer }
  const rows = dirRows(db, tree, dir)
  // Sorted by escaped name (the listing's order): find the first version of the name, then the one the
  // view shows.
  const key = escapePath(name)
  let lo = 0
  let hi = rows.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (escapePath(rows[mid][NAME]) < key) lo = mid + 1
    else hi = mid
  }
  let found: VersionRow | undefined
  for (let i = lo; i < rows.length && rows[i][NAME] === name; i++)
    if (shows(tree, plain, rows[i])) found = rows[i]
  return found && toRow(dir, found, plain)
}

/** Directories at or below `dir` that have entries, with their rows: a range scan on the key. */
function dirsBelow(db: Database, tree: StoredTree, dir: string): [string, VersionRow[]][] {
  const sql =
    dir === ''
      ? 'SELECT dir, data FROM file_tree_dirs WHERE tree = @tree'
      : 'SELECT dir, data FROM file_tree_dirs WHERE tree = @tree AND (dir = @dir OR (dir >= @low AND dir < @high))'
  const rows = stmt(db, sql).all({ tree: tree.id, dir, ...subtreeBounds(dir) }) as {
    dir: string
    data: string
  }[]
  return rows.map((r) => [r.dir, JSON.parse(r.data) as VersionRow[]])
}

const byPath = (a: TreeRow, b: TreeRow): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/** Every entry under `dir` in a view (not `dir` itself), parents before children. */
export function subtree(db: Database, tree: StoredTree, dir: string, view: View): TreeRow[] {
  const plain: View = view.layer === undefined ? {} : { layer: view.layer }
  const out: TreeRow[] = []
  for (const [d, rows] of dirsBelow(db, tree, dir))
    for (const r of rows) if (shows(tree, plain, r)) out.push(toRow(d, r, plain))
  return out.filter((r) => r.change !== 'removed').sort(byPath)
}

/** What layer p changed under `dir` ('' for everything), sorted by path: dive's layer view, flat. */
export function layerChanges(db: Database, tree: StoredTree, p: number, dir: string): TreeRow[] {
  const out: TreeRow[] = []
  for (const [d, rows] of dirsBelow(db, tree, dir)) {
    for (const r of rows) {
      if (r[FIRST] === p || (r[UNTIL] === p && (r[FLAGS] & FLAG_GONE) !== 0))
        out.push(toRow(d, r, { layer: p }))
    }
  }
  return out.sort(byPath)
}
