// The merged tree as text: one line per path, `path TAB type TAB mode TAB uid TAB gid TAB size TAB link`,
// in pathOrder, with backslash, tab and newline in names escaped so every entry is exactly one line.
// Two equal lines are two equal entries (for everything a compare looks at), so comparing two trees is
// a merge of two sorted string lists, and a search reads a few dozen rows instead of a hundred thousand.
import type { Database } from '../db'
import { stmt } from './statements'
import { typeOf, type FileMeta, type FileType } from './entry'

export interface ListedEntry extends FileMeta {
  path: string
  type: FileType
}

// Every control character is escaped (not only tab and newline): a line is one line, and a tab ends the path.
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\\\x00-\x1f]/g
export const escapePath = (s: string): string =>
  s.search(SPECIAL) < 0
    ? s
    : s.replace(SPECIAL, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
const unesc = (s: string): string =>
  s.includes('\\')
    ? s.replace(/\\(\\|x[0-9a-f]{2})/g, (_, c: string) =>
        c === '\\' ? c : String.fromCharCode(parseInt(c.slice(1), 16)),
      )
    : s

/** A line for a path already escaped. */
export function escapedLine(escaped: string, v: FileMeta & { type: FileType }): string {
  return `${escaped}\t${v.type}\t${v.mode}\t${v.uid}\t${v.gid}\t${v.size}\t${escapePath(v.link)}`
}

/**
 * Paths compared name by name (a directory's entries right after it, before `a-b` sorts after `a/x`):
 * a string comparison in which '/' comes before every other character. Lines are stored in this order and
 * merged by it; escaped paths compare as their paths do, since escaping never produces a '/'.
 */
export function pathOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x === 47) return -1
    if (y === 47) return 1
    return x - y
  }
  return a.length - b.length
}

/**
 * pathOrder of two lines' escaped paths, read in place (a compare makes this call for every line of two
 * trees: no key is cut out of its line). A tab ends a path, and no escaped path holds one.
 */
export function lineOrder(a: string, b: string): number {
  for (let i = 0; ; i++) {
    const x = i < a.length ? a.charCodeAt(i) : 9
    const y = i < b.length ? b.charCodeAt(i) : 9
    if (x === y) {
      if (x === 9) return 0
      continue
    }
    // The path that ends first is the shorter, and sorts first; then '/' before every other character.
    if (x === 9) return -1
    if (y === 9) return 1
    if (x === 47) return -1
    if (y === 47) return 1
    return x - y
  }
}

/** The escaped path of a line: lines merge by it. */
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

/** The listing as stored: chunks of lines joined by '\n', in order. */
export function loadListingChunks(db: Database, tree: number): string[] {
  return stmt(db, 'SELECT data FROM file_tree_listing WHERE tree = ? ORDER BY n')
    .pluck()
    .all(tree) as string[]
}

export function listingLines(chunks: readonly string[]): string[] {
  const out: string[] = []
  for (const c of chunks) for (const l of c.split('\n')) out.push(l)
  return out
}

export function loadListing(db: Database, tree: number): string[] {
  return listingLines(loadListingChunks(db, tree))
}
