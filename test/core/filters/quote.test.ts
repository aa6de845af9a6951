// Unquoting (pkg/filters/quote.go): Go string-literal escapes with `"`, `/` and `|` as delimiters.
import { describe, expect, it } from 'vitest'
import { QuoteSyntaxError, parse, unquote } from '../../../src-main/core/filters'

const valid: [literal: string, value: string][] = [
  ['""', ''],
  ['"abc"', 'abc'],
  ['//', ''],
  ['||', ''],
  ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\x07\b\f\n\r\t\v\\'],
  ['"\\""', '"'],
  ['/\\//', '/'],
  ['|\\||', '|'],
  ['"/|"', '/|'],
  ['/"|/', '"|'],
  ['"\\x41\\x7a"', 'Az'],
  ['"\\xc3\\xa9"', 'é'], // \x inserts raw bytes, which together form UTF-8
  ['"\\303\\251"', 'é'], // so do octal escapes
  ['"\\101"', 'A'],
  ['"\\377"', '\uFFFD'], // a lone byte 0xFF is not UTF-8
  ['"\\u00e9"', 'é'],
  ['"\\u0041"', 'A'],
  ['"\\U0001F600"', '😀'],
  ['"\\U0010FFFF"', '\u{10FFFF}'],
  ['"\\uD800"', '\uFFFD'], // Go encodes a surrogate code point as U+FFFD
  ['"牛"', '牛'],
  ['"\'"', "'"],
  ['"`"', '`'],
  ['"a\rb"', 'a\rb'],
]

const invalid: [literal: string, why: string][] = [
  ['"', 'too short'],
  ['"abc', 'unterminated'],
  ['"abc/', 'mismatched delimiters'],
  ["'a'", 'single quote is not a delimiter here'],
  ['`a`', 'backtick is not a delimiter here'],
  ['"a\nb"', 'raw newline'],
  ['"a"b"', 'unescaped delimiter inside'],
  ['"\\"', 'escape swallows the closing delimiter'],
  ['"\\/"', 'escaping another delimiter'],
  ['/\\"/', 'escaping another delimiter'],
  ['"\\\'"', 'escaping a single quote'],
  ['"\\w"', 'regexp escape'],
  ['"\\d"', 'regexp escape'],
  ['"\\x4"', 'short hex'],
  ['"\\x4g"', 'bad hex'],
  ['"\\u12"', 'short \\u'],
  ['"\\U0011FFFF"', 'beyond U+10FFFF'],
  ['"\\400"', 'octal above 255'],
  ['"\\12"', 'two octal digits'],
  ['"\\18"', 'non-octal digit'],
]

describe('unquote', () => {
  it.each(valid)('%s', (literal, value) => {
    expect(unquote(literal)).toBe(value)
  })

  it.each(invalid)('rejects %s (%s)', (literal) => {
    expect(() => unquote(literal)).toThrow(QuoteSyntaxError)
    expect(() => unquote(literal)).toThrow('quote syntax error')
  })

  it('is what the parser applies to quoted fields and values', () => {
    const f = parse('labels."a\\tb"==x|y|,x~=/\\x41\\/\\u00e9/')
    expect(f.alternatives).toEqual([
      [
        { fieldpath: ['labels', 'a\tb'], operator: '==', value: 'x|y|' },
        { fieldpath: ['x'], operator: '~=', value: 'A/é' },
      ],
    ])
  })
})
