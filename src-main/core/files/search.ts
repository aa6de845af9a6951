// Finding paths in a merged tree by glob or by RE2 regular expression (linear time, as core/filters
// matches `~=`). Both run through re2js; a substring every match must contain is looked for first with
// indexOf, which is what keeps a search over a hundred thousand paths within a frame or two.
import { RE2JS } from 're2js'
import { invalidArgument } from '../errors'
import { MAX_REGEXP_PROGRAM } from '../filters/match'

export type SearchMode = 'glob' | 'regex'

export interface PathMatcher {
  /** Match the last name (a glob without a slash) rather than the whole path. */
  basename: boolean
  /** Text every match contains (lower-cased when ignoreCase), or ''. */
  literal: string
  ignoreCase: boolean
  test(subject: string): boolean
}

const MAX_PATTERN = 1024

/**
 * A matcher for absolute display paths (`/usr/lib/libc.so.6`). Glob: `*` and `?` stay within one name,
 * `**` crosses directories, `[...]` as in the shell; without a `/` the glob matches the last name (as
 * `find -name`), with one it matches the whole path from the root. Regex: RE2 syntax, unanchored.
 */
export function pathMatcher(pattern: string, mode: SearchMode): PathMatcher {
  if (pattern.length > MAX_PATTERN)
    throw invalidArgument(`search pattern longer than ${MAX_PATTERN} characters`)
  const source = mode === 'glob' ? globToRE2(pattern) : pattern
  let re: RE2JS
  try {
    re = RE2JS.compile(source)
  } catch (e) {
    throw invalidArgument(
      `invalid ${mode === 'glob' ? 'glob' : 'regular expression'} ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    )
  }
  // A search costs about program size × path length, over every path of the tree: the filters' bound.
  if (re.programSize() > MAX_REGEXP_PROGRAM) {
    throw invalidArgument(
      `${mode === 'glob' ? 'glob' : 'regular expression'} ${JSON.stringify(pattern.slice(0, 80))} is too complex to run over every path (compiled program of ${re.programSize()} instructions, at most ${MAX_REGEXP_PROGRAM})`,
    )
  }
  let literal = ''
  let ignoreCase = false
  if (mode === 'glob') {
    literal = globLiteral(pattern)
  } else if (pattern.startsWith('(?i)')) {
    // Case-insensitive: the literal is compared case-folded, and only when it is ASCII (foldCase below).
    const lit = regexLiteral(pattern.slice(4))
    if (/^[\x20-\x7e]+$/.test(lit)) {
      literal = foldCase(lit)
      ignoreCase = true
    }
  } else {
    literal = regexLiteral(pattern)
  }
  return { basename: mode === 'glob' && !pattern.includes('/'), literal, ignoreCase, test: (s) => re.test(s) }
}

/**
 * Case folding for the case-insensitive shortcut: RE2 also matches ſ (long s) with s, which toLowerCase
 * leaves alone (the Kelvin sign it lowers to k itself), so it is mapped here.
 */
export const foldCase = (s: string): string => s.toLowerCase().replace(/\u017f/g, 's')

/**
 * Subjects (paths, or names) that match, counted in full, the page [offset, offset + limit) returned as
 * indexes. `folded` gives the subjects case-folded, asked for only when the matcher needs them.
 */
export function findMatches(
  m: PathMatcher,
  subjects: readonly string[],
  folded: () => readonly string[],
  page: { offset: number; limit: number },
): { total: number; hits: number[] } {
  const hits: number[] = []
  let total = 0
  const lower = m.literal && m.ignoreCase ? folded() : null
  for (let i = 0; i < subjects.length; i++) {
    if (m.literal && !(lower ? lower[i] : subjects[i]).includes(m.literal)) continue
    if (!m.test(subjects[i])) continue
    if (total >= page.offset && hits.length < page.limit) hits.push(i)
    total++
  }
  return { total, hits }
}

/** The glob as an anchored RE2 pattern. */
export function globToRE2(glob: string): string {
  const g = glob.includes('/') && !glob.startsWith('/') ? `/${glob}` : glob
  let out = '^'
  for (let i = 0; i < g.length; i++) {
    const c = g[i]
    if (c === '*') {
      if (g[i + 1] === '*') {
        const slashAfter = g[i + 2] === '/'
        out += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else {
        out += '[^/]*'
      }
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const end = g.indexOf(']', i + 2)
      if (end < 0) {
        out += '\\['
        continue
      }
      let body = g.slice(i + 1, end)
      const negate = body.startsWith('!') || body.startsWith('^')
      if (negate) body = body.slice(1)
      out += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\')}]`
      i = end
    } else if (c === '\\' && i + 1 < g.length) {
      out += RE2JS.quote(g[++i])
    } else {
      out += RE2JS.quote(c)
    }
  }
  return out + '$'
}

/** The longest run of plain characters in a glob: every match contains it. */
export function globLiteral(glob: string): string {
  let best = ''
  let run = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' || c === '?' || c === '[') {
      if (c === '[') {
        const end = glob.indexOf(']', i + 2)
        if (end >= 0) i = end
      }
      // `**/` is one wildcard that may match nothing, its slash included.
      if (c === '*' && glob[i + 1] === '*') i += glob[i + 2] === '/' ? 2 : 1
      run = ''
      continue
    }
    if (c === '\\' && i + 1 < glob.length) run += glob[++i]
    else run += c
    if (run.length > best.length) best = run
  }
  // A glob with a slash is matched from the root: a leading slash in it is no constraint on the text.
  return best === '/' ? '' : best
}

/** Where the class opened at `open` ends (its ']'), or -1 when that is not plain (a POSIX [:name:]). */
function classEnd(re: string, open: number): number {
  let j = open + 1
  if (re[j] === '^') j++
  if (re[j] === ']') j++
  for (; j < re.length; j++) {
    if (re[j] === ']') return j
    if (re[j] === '\\') j++
    else if (re[j] === '[' && re[j + 1] === ':') return -1
  }
  return -1
}

/**
 * The longest run of literal characters that every match of an RE2 pattern must contain, or '' when that
 * is not plain to see (alternation, flags, escapes such as \x41 or \pL; a class only ends a run): a
 * sound shortcut, never a different answer.
 */
export function regexLiteral(re: string): string {
  if (/[|]|\(\?|\\[A-Za-z0-9]/.test(re)) return ''
  let best = ''
  let run = ''
  let depth = 0
  const flush = (): void => {
    if (run.length > best.length) best = run
    run = ''
  }
  for (let i = 0; i < re.length; i++) {
    const c = re[i]
    if (c === '(' || c === ')') {
      depth = Math.max(0, depth + (c === '(' ? 1 : -1))
      flush()
    } else if (c === '.' || c === '^' || c === '$') {
      flush()
    } else if (c === '*' || c === '?' || c === '{') {
      // The character before an optional (or counted) quantifier may be absent: drop it from the run.
      run = run.slice(0, -1)
      flush()
      if (c === '{') i = Math.max(i, re.indexOf('}', i))
    } else if (c === '+') {
      flush()
    } else if (c === '[') {
      // A class is one character of a set: it ends the run (a quantifier after it applies to it alone).
      const end = classEnd(re, i)
      if (end < 0) return ''
      flush()
      i = end
    } else if (c === '\\') {
      // An escaped character at any depth: never a bracket or parenthesis of the pattern.
      if (depth === 0) run += re[i + 1] ?? ''
      i++
    } else if (depth === 0) {
      run += c
    }
  }
  flush()
  return best
}
