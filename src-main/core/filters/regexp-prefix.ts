// What every match of an anchored RE2 pattern starts with, so SQL can narrow `name~=^docker.io/` to a
// range of the name index before the real filter judges the candidates. Conservative: any construct it
// does not read plainly ends the prefix, and a pattern it cannot vouch for has none.

const META = new Set('.+*?()[]{}^$|\\'.split(''))
/** Quantifiers that make the character before them optional. */
const OPTIONAL = new Set(['*', '?', '{'])

/**
 * The literal text at the start of every string the pattern matches (searching unanchored, as `~=`
 * does), or '' when there is none to rely on: the pattern does not begin with `^`, holds an alternation
 * anywhere, or starts with a class, a group or a flag.
 */
export function regexpPrefix(pattern: string): string {
  if (!pattern.startsWith('^') || pattern.includes('|')) return ''
  let prefix = ''
  let i = 1
  while (i < pattern.length) {
    const c = pattern[i]
    let literal: string
    let width: number
    if (c === '\\') {
      const next = pattern[i + 1] ?? ''
      // An escaped punctuation character stands for itself; letters and digits are classes, assertions
      // or codes (\d, \b, \x41, \Q…) and end the prefix.
      if (!/^[!-/:-@[-`{-~]$/.test(next)) break
      literal = next
      width = 2
    } else if (META.has(c)) {
      break
    } else {
      literal = String.fromCodePoint(pattern.codePointAt(i) as number)
      width = literal.length
    }
    const after = pattern[i + width]
    if (after !== undefined && OPTIONAL.has(after)) break
    prefix += literal
    i += width
  }
  return prefix
}
