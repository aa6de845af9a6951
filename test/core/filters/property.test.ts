// Properties over random input: parsing never fails other than with InvalidArgument, never hangs (a hang
// would time the test out; wall time is not asserted), and printed selectors parse back to themselves.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BerthError } from '../../../src-main/core/errors'
import {
  parse,
  parseAll,
  parseSelectors,
  tokenize,
  Token,
  type Selector,
} from '../../../src-main/core/filters'

// Fragments that exercise every branch of the scanner and parser when strung together.
const FRAGMENTS = [
  'name',
  'labels',
  'x',
  '_1',
  '9',
  '.',
  ',',
  '==',
  '!=',
  '~=',
  '=',
  '!',
  '~',
  '"',
  '/',
  '|',
  "'",
  '`',
  '\\',
  '\\\\',
  '\\"',
  '\\/',
  '\\|',
  '\\n',
  '\\x4',
  '\\x41',
  '\\u00e9',
  '\\U0001F600',
  '\\377',
  '\\400',
  '\\w',
  ' ',
  '\t',
  '\n',
  '\u3000',
  '\x00',
  'é',
  '牛',
  '😀',
  '\uFFFD',
  '\uD800',
  '\uDC00',
  '(',
  ')',
  '[',
  'a+',
  '.*',
  '{2}',
  '(?i)',
  '$',
  '^',
  '?',
  '-',
  ':',
  '\u0301',
  '\u200b',
]

const fragmentString = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 })
  .map((parts) => parts.join(''))

const anyString = fc.oneof(
  fragmentString,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  // lone surrogates and other UTF-16 debris
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 100 }).map((us) => String.fromCharCode(...us)),
  fc.string({ unit: 'binary-ascii', minLength: 1000, maxLength: 10_000 }),
  // long inputs that stay valid for a long stretch before anything can go wrong
  fc
    .tuple(
      fc.constantFrom('name==', 'labels."', 'f~=/', 'a.b.c.d.e', 'x!=|'),
      fc.string({
        unit: fc.constantFrom('a', 'é', '\\\\', '.', '"', '牛'),
        minLength: 1000,
        maxLength: 10_000,
      }),
      fc.constantFrom('', '"', '/', '|', ' ', ','),
    )
    .map((p) => p.join('')),
)

function parseOutcome(s: string): { ok: true } | { ok: false; message: string } {
  try {
    parse(s)
    return { ok: true }
  } catch (e) {
    expect(e).toBeInstanceOf(BerthError)
    expect((e as BerthError).kind).toBe('invalid-argument')
    return { ok: false, message: (e as BerthError).message }
  }
}

describe('parse on random input', () => {
  it('either parses or throws InvalidArgument in upstream shape', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const out = parseOutcome(s)
        if (!out.ok) expect(out.message).toMatch(/^filters: parse error: \[[\s\S]*\]: [\s\S]+$/)
      }),
      { numRuns: 2000 },
    )
  })

  it('parseAll fails exactly when one element fails, with the same message plus the errdefs suffix', () => {
    fc.assert(
      fc.property(fc.array(anyString, { maxLength: 3 }), (ss) => {
        const firstBad = ss.map(parseOutcome).find((o) => !o.ok)
        let caught: unknown
        try {
          parseAll(...ss)
        } catch (e) {
          caught = e
        }
        if (firstBad === undefined || firstBad.ok) {
          expect(caught).toBeUndefined()
        } else {
          expect((caught as BerthError).kind).toBe('invalid-argument')
          expect((caught as BerthError).message).toBe(`${firstBad.message}: invalid argument`)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('a parsed filter matches any object without throwing', () => {
    const adaptor = fc.func(fc.option(fc.string({ unit: 'binary', maxLength: 50 }), { nil: undefined }))
    fc.assert(
      fc.property(fragmentString, adaptor, (s, a) => {
        let f
        try {
          f = parse(s)
        } catch {
          return
        }
        expect(typeof f.match(a)).toBe('boolean')
      }),
      { numRuns: 1000 },
    )
  })

  it('the tokenizer always ends with EOF at the byte length, positions never going back', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const toks = tokenize(s)
        const last = toks[toks.length - 1]
        expect(last.token).toBe(Token.EOF)
        expect(last.pos).toBe(new TextEncoder().encode(s).length)
        for (let i = 1; i < toks.length; i++) expect(toks[i].pos).toBeGreaterThan(toks[i - 1].pos)
      }),
      { numRuns: 1000 },
    )
  })
})

// Go-literal quoting for the round trip: escapes only what must be escaped, so most characters go through
// the scanner raw. U+FFFD is escaped because a literal one is an illegal rune, as in Go.
function quote(s: string, delim: '"' | '/' | '|'): string {
  let out = delim
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === delim || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (cp === 0) out += '\\000'
    else if (cp === 0xfffd) out += '\\ufffd'
    else out += ch
  }
  return out + delim
}

const text = fc.string({ unit: 'binary', maxLength: 30 })
const selector: fc.Arbitrary<Selector> = fc
  .record({
    fieldpath: fc.array(text, { minLength: 1, maxLength: 4 }),
    operator: fc.constantFrom('' as const, '==' as const, '!=' as const, '~=' as const),
    value: text,
  })
  .map((s) => (s.operator === '' ? { ...s, value: '' } : s))

function print(sels: Selector[], delim: '"' | '/' | '|', spaced: boolean): string {
  const sp = spaced ? ' ' : ''
  return sels
    .map((s) => {
      const fp = s.fieldpath.map((f) => quote(f, '"')).join('.')
      if (s.operator === '') return `${sp}${fp}`
      const d = s.operator === '~=' ? delim : '"'
      return `${sp}${fp}${sp}${s.operator}${sp}${quote(s.value, d)}`
    })
    .join(',')
}

describe('round trip', () => {
  it('printed selectors parse back to themselves', () => {
    fc.assert(
      fc.property(
        fc.array(selector, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('"' as const, '/' as const, '|' as const),
        fc.boolean(),
        (sels, delim, spaced) => {
          expect(parseSelectors(print(sels, delim, spaced))).toEqual(sels)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
