// regexpProblems: the `~=` selectors that can never match because their pattern does not compile, named
// so the app and the CLI can say why a list is empty.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchValue, parseAll, regexpProblems } from '../../../src-main/core/filters'

describe('regexpProblems', () => {
  it('names each selector whose pattern does not compile, with RE2 reason', () => {
    expect(regexpProblems('name~=(', 'labels."a/b"~=/[z-a]/,name==x')).toEqual([
      {
        filter: 'name~=(',
        field: 'name',
        expression: '(',
        error: 'error parsing regexp: missing closing ): `(`',
        selector: 'name~=(',
      },
      {
        filter: 'labels."a/b"~=/[z-a]/,name==x',
        field: 'labels.a/b',
        expression: '[z-a]',
        error: 'error parsing regexp: invalid character class range: `z-a`',
        selector: 'labels."a/b"~=[z-a]',
      },
    ])
  })

  it('is silent for patterns that compile, other operators and filters that do not parse', () => {
    expect(regexpProblems('name~=^docker\\.io/', 'name==(', 'labels.x!=(', 'name~=(,,')).toEqual([])
    expect(regexpProblems()).toEqual([])
  })

  it('flags only selectors that match nothing because of their pattern', () => {
    const pattern = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('(', ')', '[', 'a**', '\\8', '(?i)x', 'a|b', '[^a]', 'x{1,0}', '(?P<n>a)'),
    )
    fc.assert(
      fc.property(pattern, fc.string({ maxLength: 6 }), (p, value) => {
        const filter = `name~=${JSON.stringify(p)}`
        let parsed
        try {
          parsed = parseAll(filter)
        } catch {
          return // not a valid filter string: nothing to judge
        }
        const sel = parsed.alternatives[0][0]
        for (const problem of regexpProblems(filter)) {
          expect(problem.expression).toBe(sel.value)
          expect(matchValue(sel, value)).toBe(false)
          expect(matchValue(sel, '')).toBe(false)
        }
      }),
    )
  })
})
