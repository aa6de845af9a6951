// The tokenizer of containerd's filter language (pkg/filters/scanner.go), reproduced closely because its
// quirks are the language: whitespace is skipped only before a token, the first character of a value
// decides whether it is quoted, errors are sticky, and positions are UTF-8 byte offsets.
//
// The input is encoded to UTF-8 up front so every position and error marker is the byte offset Go would
// report. Lone UTF-16 surrogates become U+FFFD in that encoding, which, as in Go, is an illegal rune.

/** Token kinds are negative so that any other code point can stand for itself, as Go's `token` rune does. */
export const Token = {
  EOF: -1,
  Quoted: -2,
  Value: -3,
  Field: -4,
  Separator: -5,
  Operator: -6,
  Illegal: -7,
} as const

export type TokenKind = number

export interface Scanned {
  /** UTF-8 byte offset of the token's first character (of the input's end for EOF). */
  readonly pos: number
  readonly token: TokenKind
  /** The token's source text; empty for EOF, illegal characters and stray characters. */
  readonly text: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: false })

const REPLACEMENT = 0xfffd
const SPACE = /^\p{White_Space}$/u
// unicode.IsGraphic minus spaces, i.e. letters, marks, numbers, punctuation and symbols.
const GRAPHIC = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u

export function isSpaceRune(r: number): boolean {
  return r >= 0 && SPACE.test(String.fromCodePoint(r))
}

function isAlphaRune(r: number): boolean {
  return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a)
}

function isDigitRune(r: number): boolean {
  return r >= 0x30 && r <= 0x39
}

export function isFieldRune(r: number): boolean {
  return r === 0x5f || isAlphaRune(r) || isDigitRune(r)
}

function isOperatorRune(r: number): boolean {
  return r === 0x3d /* = */ || r === 0x21 /* ! */ || r === 0x7e /* ~ */
}

function isQuoteRune(r: number): boolean {
  return r === 0x2f /* / */ || r === 0x7c /* | */ || r === 0x22 /* " */
}

function isSeparatorRune(r: number): boolean {
  return r === 0x2c /* , */ || r === 0x2e /* . */
}

function isValueRune(r: number): boolean {
  if (r < 0 || r === 0x2c || isSpaceRune(r)) return false
  return GRAPHIC.test(String.fromCodePoint(r))
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10
  return 16 // larger than any legal digit value
}

/** Decodes the rune at byte i of well-formed UTF-8 (the encoder's output always is). */
function decodeRune(b: Uint8Array, i: number): [rune: number, width: number] {
  const b0 = b[i]
  if (b0 < 0x80) return [b0, 1]
  if (b0 < 0xe0) return [((b0 & 0x1f) << 6) | (b[i + 1] & 0x3f), 2]
  if (b0 < 0xf0) return [((b0 & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f), 3]
  return [((b0 & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f), 4]
}

export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s)
}

/** Decodes bytes, replacing any malformed sequence (e.g. a split character) with U+FFFD as Go's printers do. */
export function decodeUtf8(b: Uint8Array): string {
  return decoder.decode(b)
}

export class Scanner {
  readonly input: Uint8Array
  /** Start of the current rune. */
  pos = 0
  /** End of the current rune. */
  ppos = 0
  /** Set after an operator: the next token is read as a value. */
  value = false
  /** The first error met; later ones are dropped, as upstream. */
  err = ''

  constructor(input: string | Uint8Array) {
    this.input = typeof input === 'string' ? encodeUtf8(input) : input
  }

  text(from: number, to: number): string {
    return decodeUtf8(this.input.subarray(from, to))
  }

  next(): number {
    if (this.pos >= this.input.length) return Token.EOF
    this.pos = this.ppos
    if (this.ppos >= this.input.length) return Token.EOF
    const [r, w] = decodeRune(this.input, this.ppos)
    this.ppos += w
    if (r === REPLACEMENT) {
      this.error('rune error')
      return Token.Illegal
    }
    if (r === 0) {
      this.error('unexpected null')
      return Token.Illegal
    }
    return r
  }

  /** The next rune without consuming it; note that, as upstream, it may still record an error. */
  peek(): number {
    const { pos, ppos } = this
    const ch = this.next()
    this.pos = pos
    this.ppos = ppos
    return ch
  }

  scan(): Scanned {
    let ch = this.next()
    let pos = this.pos
    for (;;) {
      if (ch === Token.EOF || ch === Token.Illegal) break
      if (isQuoteRune(ch)) {
        const ok = this.scanQuoted(ch)
        return this.token(pos, ok ? Token.Quoted : Token.Illegal)
      }
      if (isSeparatorRune(ch)) {
        this.value = false
        return this.token(pos, Token.Separator)
      }
      if (isOperatorRune(ch)) {
        this.scanWhile(isOperatorRune)
        this.value = true
        return this.token(pos, Token.Operator)
      }
      if (isSpaceRune(ch)) {
        ch = this.next()
        pos = this.pos
        continue
      }
      if (this.value) {
        this.scanWhile(isValueRune)
        this.value = false
        return this.token(pos, Token.Value)
      }
      if (isFieldRune(ch)) {
        this.scanWhile(isFieldRune)
        return this.token(pos, Token.Field)
      }
      break
    }
    return { pos: this.pos, token: ch, text: '' }
  }

  private token(pos: number, token: TokenKind): Scanned {
    return { pos, token, text: this.text(pos, this.ppos) }
  }

  private scanWhile(pred: (r: number) => boolean): void {
    while (pred(this.peek())) this.next()
  }

  private scanQuoted(quote: number): boolean {
    let illegal = false
    let ch = this.next() // the character after the opening quote
    while (ch !== quote) {
      if (ch === 0x0a || ch < 0) {
        this.error('quoted literal not terminated')
        return false
      }
      if (ch === 0x5c /* \ */) {
        const [after, legal] = this.scanEscape(quote)
        ch = after
        if (!legal) illegal = true
      } else {
        ch = this.next()
      }
    }
    return !illegal
  }

  /** Returns the rune after the escape and whether the escape was well formed. */
  private scanEscape(quote: number): [number, boolean] {
    const ch = this.next()
    switch (ch) {
      case 0x61: // a
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
      case 0x76: // v
      case 0x5c: // \
      case quote:
        return [this.next(), true]
      case 0x78: // x
        return this.scanDigits(this.next(), 16, 2)
      case 0x75: // u
        return this.scanDigits(this.next(), 16, 4)
      case 0x55: // U
        return this.scanDigits(this.next(), 16, 8)
      default:
        if (ch >= 0x30 && ch <= 0x37) return this.scanDigits(ch, 8, 3)
        this.error('illegal escape sequence')
        return [ch, false]
    }
  }

  private scanDigits(first: number, base: number, n: number): [number, boolean] {
    let ch = first
    while (n > 0 && digitVal(ch) < base) {
      ch = this.next()
      n--
    }
    if (n > 0) {
      this.error('illegal numeric escape sequence')
      return [ch, false]
    }
    return [ch, true]
  }

  private error(msg: string): void {
    if (this.err === '') this.err = msg
  }
}

/**
 * Every token of `input` up to and including EOF, each illegal one with the scanner's (sticky) error.
 * Mirrors how upstream's scanner tests drive the scanner.
 */
export function tokenize(input: string): (Scanned & { err?: string })[] {
  const sc = new Scanner(input)
  const out: (Scanned & { err?: string })[] = []
  for (;;) {
    const t = sc.scan()
    out.push(t.token === Token.Illegal ? { ...t, err: sc.err } : t)
    if (t.token === Token.EOF) return out
  }
}
