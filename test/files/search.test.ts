// Search finds what RE2 finds. The substring looked for first must never hide a match: checked against
// RE2 alone on random patterns and paths, with the letters case folding treats specially (ſ and s,
// the Kelvin sign and k) and the characters a regular expression gives meaning to.
import fc from 'fast-check'
import { RE2JS } from 're2js'
import { describe, expect, it } from 'vitest'
import {
  findMatches,
  foldCase,
  globLiteral,
  globToRE2,
  pathMatcher,
  regexLiteral,
} from '../../src-main/core/files/search'

const char = fc.constantFrom('a', 'b', 's', 'S', 'ſ', 'k', 'K', '\u212a', '.', '-', '/', 'é', '1')
const path = fc.array(char, { minLength: 1, maxLength: 12 }).map((cs) => `/${cs.join('')}`)
const piece = fc.constantFrom(
  'a',
  'b',
  's',
  'k',
  'S',
  'K',
  'ab',
  'sk',
  '.',
  '\\.',
  '*',
  '+',
  '?',
  '/',
  '(a)',
  '1',
  '{1,2}',
  '[ab]',
  '[^/]',
  '[]a]',
  '\\[',
  '^',
  '$',
)
const regex = fc
  .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 6 }))
  .map(([ci, ps]) => (ci ? '(?i)' : '') + ps.join(''))
  .filter((p) => {
    try {
      RE2JS.compile(p)
      return true
    } catch {
      return false
    }
  })
const glob = fc
  .array(fc.constantFrom('a', 'b', 's', '*', '?', '**', '/', '.', '[ab]', 'k'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((ps) => ps.join(''))

function brute(pattern: string, mode: 'glob' | 'regex', subjects: string[]): number {
  const re = RE2JS.compile(mode === 'glob' ? globToRE2(pattern) : pattern)
  return subjects.filter((s) => re.test(s)).length
}

describe('search', () => {
  it('finds exactly what RE2 finds, for regular expressions', () => {
    fc.assert(
      fc.property(regex, fc.array(path, { maxLength: 30 }), (pattern, paths) => {
        const m = pathMatcher(pattern, 'regex')
        const r = findMatches(m, paths, () => paths.map(foldCase), { offset: 0, limit: 1000 })
        expect(r.total).toBe(brute(pattern, 'regex', paths))
      }),
      { numRuns: 3000 },
    )
  })

  it('finds exactly what RE2 finds, for globs (names, or paths from the root)', () => {
    fc.assert(
      fc.property(glob, fc.array(path, { maxLength: 30 }), (pattern, paths) => {
        const m = pathMatcher(pattern, 'glob')
        const subjects = m.basename ? paths.map((p) => p.slice(p.lastIndexOf('/') + 1)) : paths
        const r = findMatches(m, subjects, () => subjects.map(foldCase), { offset: 0, limit: 1000 })
        expect(r.total).toBe(brute(pattern, 'glob', subjects))
      }),
      { numRuns: 2000 },
    )
  })

  it('glob semantics: * within a name, ** across directories, names without a slash', () => {
    const t = (g: string, p: string) => RE2JS.compile(globToRE2(g)).test(p)
    expect(t('*.so', 'libc.so')).toBe(true)
    expect(t('/usr/*/x', '/usr/lib/x')).toBe(true)
    expect(t('/usr/*/x', '/usr/lib/a/x')).toBe(false)
    expect(t('/usr/**/x', '/usr/lib/a/x')).toBe(true)
    expect(t('/usr/**/x', '/usr/x')).toBe(true)
    expect(t('etc/*', '/etc/passwd')).toBe(true)
    expect(t('lib[ac]?.so', 'libc6.so')).toBe(true)
    expect(t('lib[!ac]?.so', 'libc6.so')).toBe(false)
  })

  it('refuses a pattern too costly to run over every path, as filters do', () => {
    expect(() => pathMatcher('(a|b|c|d){1000}', 'regex')).toThrow(/too complex/)
    expect(() => pathMatcher('[0-9a-f]{64}', 'regex')).not.toThrow()
  })

  it('pulls out the text every match must contain', () => {
    expect(globLiteral('*libcrypto*.so.*')).toBe('libcrypto')
    // The slash of `**/` may match nothing: it is no part of what every match contains.
    expect(globLiteral('a**/.')).toBe('a')
    // A class is one unknown character: the text either side of it still counts.
    expect(regexLiteral('file-99[0-9]\\.bin$')).toBe('file-99')
    expect(regexLiteral('d9[0-9]/file-1[0-9]+\\.bin$')).toBe('/file-1')
    expect(regexLiteral('ab[c]*d')).toBe('ab')
    expect(regexLiteral('a[]b]c')).toBe('a')
    expect(regexLiteral('x[[:alpha:]]y')).toBe('')
    expect(regexLiteral('(\\[)abc')).toBe('abc')
    expect(regexLiteral('file-99\\.bin$')).toBe('file-99.bin')
    expect(regexLiteral('ab*cd')).toBe('cd')
    expect(regexLiteral('abc+d')).toBe('abc')
    expect(regexLiteral('a|b')).toBe('')
    expect(pathMatcher('(?i)PassWD', 'regex')).toMatchObject({ literal: 'passwd', ignoreCase: true })
  })
})
