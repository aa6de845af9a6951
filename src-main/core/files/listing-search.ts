// A search run over the listing as it is stored: a few dozen chunks of text, one line per path. When the
// pattern has a literal every match contains, one indexOf over a chunk finds the few lines worth testing,
// so a search needs neither a hundred thousand path strings nor their case-folded copies — which is what
// made the first search after a restart (nothing built yet) cost more than a frame or two.
import { linePath } from './listing-lines'
import { displayPath } from './paths'
import type { PathMatcher } from './search'
import { foldCase } from './search'

export interface ListingText {
  /** The stored chunks: lines joined by '\n'. */
  chunks: readonly string[]
  /** A chunk case-folded (cached by the caller), or null when folding changed its length. */
  folded(i: number): string | null
}

export interface SearchPage {
  offset: number
  limit: number
}

/** Whether the literal can be looked for in the escaped text: escaping leaves it alone. */
// eslint-disable-next-line no-control-regex
const plainLiteral = (lit: string): boolean => lit !== '' && !/[\\\x00-\x1f]/.test(lit)

/** Display paths of the matching lines, counted in full, the page [offset, offset + limit) returned. */
export function searchListing(
  m: PathMatcher,
  text: ListingText,
  page: SearchPage,
): { total: number; paths: string[] } | null {
  // Lines hold paths without their leading slash: a literal that opens with one is looked for without it
  // (a weaker test; the exact one follows on each line found).
  const literal = m.literal.replace(/^\/+/, '')
  if (!plainLiteral(literal)) return null
  const hits: string[] = []
  let total = 0
  const take = (path: string): void => {
    if (total >= page.offset && hits.length < page.limit) hits.push(path)
    total++
  }
  for (let i = 0; i < text.chunks.length; i++) {
    const chunk = text.chunks[i]
    const hay = m.ignoreCase ? text.folded(i) : chunk
    if (hay === null) {
      // Folding changed the text's length (a rare letter such as İ): positions would not line up.
      for (const line of chunk.split('\n')) {
        const path = displayPath(linePath(line))
        if (matches(m, path)) take(path)
      }
      continue
    }
    for (let at = hay.indexOf(literal); at >= 0;) {
      const start = hay.lastIndexOf('\n', at) + 1
      let end = chunk.indexOf('\n', at)
      if (end < 0) end = chunk.length
      // Only a hit in the path (before the first tab) can make the line match; the check below is exact.
      if (at < chunk.indexOf('\t', start)) {
        const path = displayPath(linePath(chunk.slice(start, end)))
        if (matches(m, path)) take(path)
      }
      at = end >= chunk.length ? -1 : hay.indexOf(literal, end + 1)
    }
  }
  return { total, paths: hits }
}

/** The whole test findMatches makes of one subject, from its display path. */
function matches(m: PathMatcher, path: string): boolean {
  const subject = m.basename ? path.slice(path.lastIndexOf('/') + 1) : path
  if (!(m.ignoreCase ? foldCase(subject) : subject).includes(m.literal)) return false
  return m.test(subject)
}
