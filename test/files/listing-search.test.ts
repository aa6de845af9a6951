// A search over the stored listing text gives what the search over every display path gives: the same
// count and the same page, in the same order — for names with escaped characters (tab, backslash, control
// characters), letters whose case folding changes the text's length (İ), patterns whose literal opens with
// a slash, and lines cut into chunks anywhere.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { escapedLine, escapePath } from '../../src-main/core/files/listing-lines'
import { searchListing } from '../../src-main/core/files/listing-search'
import { findMatches, foldCase, pathMatcher, type SearchMode } from '../../src-main/core/files/search'

const char = fc.constantFrom('a', 'b', 'S', 's', 'ſ', 'İ', '\t', '\\', '\n', 'x', '1', '.', '-')
const name = fc.array(char, { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''))
const rel = fc.array(name, { minLength: 1, maxLength: 3 }).map((ns) => ns.join('/'))
const pattern = fc.tuple(
  fc.constantFrom<SearchMode>('glob', 'regex'),
  fc.constantFrom('', '/', '(?i)', '**/'),
  fc.array(fc.constantFrom('a', 'b', 's', 'S', 'x1', '/', '.', '-', '*', 'İ', 'ab'), {
    minLength: 1,
    maxLength: 4,
  }),
)

function chunked(lines: string[], sizes: number[]): string[] {
  const out: string[] = []
  for (let i = 0, k = 0; i < lines.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] ?? 1)
    out.push(lines.slice(i, i + n).join('\n'))
    i += n
  }
  return out
}

describe('searching the listing text', () => {
  it('finds what the search over every path finds, page and count', () => {
    fc.assert(
      fc.property(
        fc.array(rel, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        pattern,
        fc.integer({ min: 0, max: 5 }),
        (rels, sizes, [mode, prefix, parts], offset) => {
          const source =
            mode === 'glob' ? prefix.replace('(?i)', '') + parts.join('') : prefix + parts.join('')
          let m
          try {
            m = pathMatcher(source, mode)
          } catch {
            return // not a valid pattern: both searches refuse it the same way
          }
          // As the tree writer stores them: the path escaped, then the fields a compare looks at.
          const lines = rels.map((r) =>
            escapedLine(escapePath(r), { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, link: '' }),
          )
          const chunks = chunked(lines, sizes)
          const page = { offset, limit: 3 }
          const found = searchListing(
            m,
            {
              chunks,
              folded: (i) => {
                const f = foldCase(chunks[i])
                return f.length === chunks[i].length ? f : null
              },
            },
            page,
          )
          const paths = rels.map((r) => `/${r}`)
          const subjects = m.basename ? paths.map((p) => p.slice(p.lastIndexOf('/') + 1)) : paths
          const want = findMatches(m, subjects, () => subjects.map(foldCase), page)
          if (found === null) {
            // Only a pattern without a literal safe to look for in the text is left to the other search.
            // eslint-disable-next-line no-control-regex
            expect(m.literal.replace(/^\/+/, '') === '' || /[\\\x00-\x1f]/.test(m.literal)).toBe(true)
            return
          }
          expect(found.total).toBe(want.total)
          expect(found.paths).toEqual(want.hits.map((i) => paths[i]))
        },
      ),
      { numRuns: 3000 },
    )
  })
})
