// Unquoting of the filter language's quoted strings (pkg/filters/quote.go): Go string-literal escapes,
// with `/` and `|` accepted as delimiters beside `"` so that regular expressions need not escape quotes.
// Works on UTF-8 bytes because `\xHH` and octal escapes insert raw bytes (`"\xc3\xa9"` is "é"); the result
// is decoded at the end, so a byte sequence that is not UTF-8 comes out as U+FFFD.

import { decodeUtf8, encodeUtf8 } from './scanner'

export class QuoteSyntaxError extends Error {
  constructor() {
    super('quote syntax error')
    this.name = 'QuoteSyntaxError'
  }
}

const DELIMITERS = new Set([0x22 /* " */, 0x2f /* / */, 0x7c /* | */])
const MAX_RUNE = 0x10ffff

const SIMPLE_ESCAPES: ReadonlyMap<number, number> = new Map([
  [0x61, 0x07], // \a
  [0x62, 0x08], // \b
  [0x66, 0x0c], // \f
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
  [0x76, 0x0b], // \v
  [0x5c, 0x5c], // \\
])

function unhex(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10
  return -1
}

function pushRune(out: number[], r: number): void {
  // Go encodes a surrogate code point as U+FFFD.
  const cp = r >= 0xd800 && r <= 0xdfff ? 0xfffd : r
  for (const b of encodeUtf8(String.fromCodePoint(cp))) out.push(b)
}

/** Decodes one (possibly escaped) character at s[i]; returns the index after it. */
function unquoteChar(s: Uint8Array, i: number, quote: number, out: number[]): number {
  const c = s[i]
  if (c === quote) throw new QuoteSyntaxError()
  if (c !== 0x5c) {
    out.push(c) // multi-byte characters are copied byte by byte, which re-encodes them unchanged
    return i + 1
  }
  if (i + 1 >= s.length) throw new QuoteSyntaxError()
  const e = s[i + 1]
  i += 2
  const simple = SIMPLE_ESCAPES.get(e)
  if (simple !== undefined) {
    out.push(simple)
    return i
  }
  if (e === 0x78 || e === 0x75 || e === 0x55) {
    const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8
    if (s.length - i < n) throw new QuoteSyntaxError()
    let v = 0
    for (let j = 0; j < n; j++) {
      const x = unhex(s[i + j])
      if (x < 0) throw new QuoteSyntaxError()
      v = v * 16 + x
    }
    i += n
    if (e === 0x78) {
      out.push(v) // a single raw byte, possibly not UTF-8
      return i
    }
    if (v > MAX_RUNE) throw new QuoteSyntaxError()
    pushRune(out, v)
    return i
  }
  if (e >= 0x30 && e <= 0x37) {
    if (s.length - i < 2) throw new QuoteSyntaxError()
    let v = e - 0x30
    for (let j = 0; j < 2; j++) {
      const x = s[i + j] - 0x30
      if (x < 0 || x > 7) throw new QuoteSyntaxError()
      v = (v << 3) | x
    }
    i += 2
    if (v > 255) throw new QuoteSyntaxError()
    out.push(v)
    return i
  }
  if (e === 0x27 /* ' */ || DELIMITERS.has(e)) {
    // Only the current delimiter may be escaped.
    if (e !== quote) throw new QuoteSyntaxError()
    out.push(e)
    return i
  }
  throw new QuoteSyntaxError()
}

/**
 * The value of a literal delimited by `"`, `/` or `|` (the delimiters the scanner produces).
 * Throws QuoteSyntaxError for anything else Go's strconv-derived unquote rejects.
 */
export function unquote(literal: string | Uint8Array): string {
  const s = typeof literal === 'string' ? encodeUtf8(literal) : literal
  const n = s.length
  if (n < 2) throw new QuoteSyntaxError()
  const quote = s[0]
  if (quote !== s[n - 1] || !DELIMITERS.has(quote)) throw new QuoteSyntaxError()
  const body = s.subarray(1, n - 1)
  if (body.includes(0x0a)) throw new QuoteSyntaxError()
  const out: number[] = []
  for (let i = 0; i < body.length;) i = unquoteChar(body, i, quote, out)
  return decodeUtf8(Uint8Array.from(out))
}
