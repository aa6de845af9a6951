// regexpPrefix: the literal every match of an anchored pattern starts with, which SQL narrows to a
// range of an index. It may be shorter than it could be, never longer: a property over random patterns
// and strings checks that whatever RE2 matches starts with it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regexpSearch } from '../../../src-main/core/filters'
import { regexpPrefix } from '../../../src-main/core/filters/regexp-prefix'

describe('regexpPrefix', () => {
  it('reads the literal start of an anchored pattern', () => {
    expect(regexpPrefix('^docker.io/')).toBe('docker')
    expect(regexpPrefix('^docker\\.io/library')).toBe('docker.io/library')
    expect(regexpPrefix('^ab+c')).toBe('ab')
    expect(regexpPrefix('^abc*')).toBe('ab')
    expect(regexpPrefix('^ab?')).toBe('a')
    expect(regexpPrefix('^a{2}')).toBe('')
    expect(regexpPrefix('^x\\d')).toBe('x')
    expect(regexpPrefix('^é😀x')).toBe('é😀x')
    expect(regexpPrefix('^😀*')).toBe('')
  })

  it('has none to offer for unanchored patterns, alternations, classes, groups and flags', () => {
    for (const p of ['docker', 'a^b', '^a|b', '(^a)', '^[ab]c', '^(?i)abc', '^.', '^', '^\\Qa\\E', ''])
      expect(regexpPrefix(p), p).toBe('')
  })

  it('is a prefix of every string the pattern matches', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      'é',
      '😀',
      '.',
      '*',
      '+',
      '?',
      '{1,2}',
      '\\.',
      '\\d',
      '(',
      ')',
      '|',
      '[ab]',
      '$',
      '^',
    )
    const pattern = fc.array(piece, { maxLength: 6 }).map((ps) => `^${ps.join('')}`)
    const subject = fc
      .array(fc.constantFrom('a', 'b', 'é', '😀', '.', 'x', '1'), { maxLength: 7 })
      .map((c) => c.join(''))
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        if (regexpSearch(p)(s)) expect(s.startsWith(regexpPrefix(p)), `${p} matched ${s}`).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })
})
