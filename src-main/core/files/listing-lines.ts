// The merged tree as text: one line per path, `path TAB type TAB mode TAB uid TAB gid TAB size TAB link`,
// sorted by path, with backslash, tab and newline in names escaped so every entry is exactly one line.
// Two equal lines are two equal entries (for everything a compare looks at), so comparing two trees is
// a merge of two sorted string lists, and a search reads a few dozen rows instead of a hundred thousand.
import type { Database } from '../db'
import { stmt } from './statements'
import { typeOf, type FileType } from './entry'

export interface ListedEntry {
  path: string
  type: FileType
  mode: number
  uid: number
  gid: number
  size: number
  link: string
}

// Every control character is escaped (not only tab and newline), so the tab that ends a path sorts below
// any character a path can hold: sorting whole lines then sorts them by path, which the merge relies on.
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\\\x00-\x1f]/g
const esc = (s: string): string =>
  s.search(SPECIAL) < 0
    ? s
    : s.replace(SPECIAL, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
const unesc = (s: string): string =>
  s.includes('\\')
    ? s.replace(/\\(\\|x[0-9a-f]{2})/g, (_, c: string) =>
        c === '\\' ? c : String.fromCharCode(parseInt(c.slice(1), 16)),
      )
    : s

export function listingLine(
  path: string,
  v: { type: FileType; mode: number; uid: number; gid: number; size: number; link: string },
): string {
  return `${esc(path)}\t${v.type}\t${v.mode}\t${v.uid}\t${v.gid}\t${v.size}\t${esc(v.link)}`
}

/** The escaped path of a line: lines sort and merge by it. */
export function lineKey(line: string): string {
  return line.slice(0, line.indexOf('\t'))
}

export function linePath(line: string): string {
  return unesc(lineKey(line))
}

export function parseLine(line: string): ListedEntry {
  const f = line.split('\t')
  return {
    path: unesc(f[0]),
    type: (f[1] as FileType) ?? typeOf(0),
    mode: Number(f[2]),
    uid: Number(f[3]),
    gid: Number(f[4]),
    size: Number(f[5]),
    link: unesc(f[6] ?? ''),
  }
}

export function loadListing(db: Database, tree: number): string[] {
  const chunks = stmt(db, 'SELECT data FROM file_tree_listing WHERE tree = ? ORDER BY n')
    .pluck()
    .all(tree) as string[]
  const out: string[] = []
  for (const c of chunks) for (const l of c.split('\n')) out.push(l)
  return out
}
