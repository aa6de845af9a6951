// The recursive-descent parser of containerd's filter language (pkg/filters/parser.go). It yields the
// selectors of one filter string (all must hold) or throws InvalidArgument with upstream's message:
// `filters: parse error: [<before> >|<byte>|< <after>]: <msg>`, or `[<input>]: <msg>` at end of input.

import { invalidArgument, type BerthError } from '../errors'
import { MAX_REGEXP_PROGRAM, regexpProgramSize } from './match'
import { QuoteSyntaxError, unquote } from './quote'
import { Scanner, Token, decodeUtf8 } from './scanner'

export type Operator = '' | '==' | '!=' | '~='

/**
 * One test on one field. `operator` '' is a presence test (value is then ''); `~=` holds an RE2 pattern
 * searched for anywhere in the field's value.
 */
export interface Selector {
  readonly fieldpath: readonly string[]
  readonly operator: Operator
  readonly value: string
}

const COMMA = 0x2c
const DOT = 0x2e

/** Go's `%q` for the short strings that reach it here (operators made of `=`, `!`, `~`). */
function goQuote(s: string): string {
  return JSON.stringify(s)
}

/** The message body of a parse error at byte `pos` of `input`. */
export function formatParseError(input: Uint8Array, pos: number, msg: string): string {
  if (pos < input.length) {
    // Upstream marks a single byte, which splits a multi-byte character; each stray byte prints as U+FFFD.
    const before = decodeUtf8(input.subarray(0, pos))
    const location = decodeUtf8(input.subarray(pos, pos + 1))
    const after = decodeUtf8(input.subarray(pos + 1))
    return `[${before} >|${location}|< ${after}]: ${msg}`
  }
  return `[${decodeUtf8(input)}]: ${msg}`
}

class Parser {
  private readonly sc: Scanner

  constructor(input: string) {
    this.sc = new Scanner(input)
  }

  selectors(): Selector[] {
    const ss = [this.selector()]
    for (;;) {
      const tok = this.sc.peek()
      if (tok === COMMA) {
        const { pos, token } = this.sc.scan()
        if (token !== Token.Separator) throw this.error(pos, 'expected a separator')
        ss.push(this.selector())
      } else if (tok === Token.EOF) {
        return ss
      } else {
        const ch = tok < 0 ? '\uFFFD' : String.fromCodePoint(tok)
        throw this.error(this.sc.ppos, `unexpected input: ${ch}`)
      }
    }
  }

  private selector(): Selector {
    const fieldpath = this.fieldpath()
    const next = this.sc.peek()
    // Upstream peeks the raw next character here: whitespace is not skipped, so `name ` expects an operator.
    if (next === COMMA || next === Token.EOF) return { fieldpath, operator: '', value: '' }
    const operator = this.operator()
    const { pos, value } = this.value(operator === '~=')
    if (operator === '~=') this.checkProgram(value, pos)
    return { fieldpath, operator, value }
  }

  /** Berth's bound on what one search may cost (match.ts MAX_REGEXP_PROGRAM), checked up front. */
  private checkProgram(pattern: string, at: number): void {
    const size = regexpProgramSize(pattern)
    if (size === undefined || size <= MAX_REGEXP_PROGRAM) return
    throw this.error(
      at,
      `regular expression too complex: it compiles to ${size} instructions, over the limit of ` +
        `${MAX_REGEXP_PROGRAM}; use a shorter pattern (fewer or smaller repetitions)`,
    )
  }

  private fieldpath(): string[] {
    const fs = [this.field()]
    while (this.sc.peek() === DOT) {
      const { pos, token } = this.sc.scan()
      if (token !== Token.Separator) throw this.error(pos, 'expected a field separator (`.`)')
      fs.push(this.field())
    }
    return fs
  }

  private field(): string {
    const { pos, token, text } = this.sc.scan()
    switch (token) {
      case Token.Field:
        return text
      case Token.Quoted:
        return this.unquote(pos, text, false)
      case Token.Illegal:
        throw this.error(pos, this.sc.err)
      default:
        throw this.error(pos, 'expected field or quoted')
    }
  }

  private operator(): Exclude<Operator, ''> {
    const { pos, token, text } = this.sc.scan()
    if (token === Token.Operator) {
      if (text === '==' || text === '!=' || text === '~=') return text
      throw this.error(pos, `unsupported operator ${goQuote(text)}`)
    }
    if (token === Token.Illegal) throw this.error(pos, this.sc.err)
    throw this.error(pos, 'expected an operator ("=="|"!="|"~=")')
  }

  private value(allowAltQuotes: boolean): { pos: number; value: string } {
    const { pos, token, text } = this.sc.scan()
    switch (token) {
      case Token.Value:
      case Token.Field:
        return { pos, value: text }
      case Token.Quoted:
        return { pos, value: this.unquote(pos, text, allowAltQuotes) }
      case Token.Illegal:
        throw this.error(pos, this.sc.err)
      default:
        throw this.error(pos, 'expected value or quoted')
    }
  }

  private unquote(pos: number, literal: string, allowAlts: boolean): string {
    if (!allowAlts && literal[0] !== '"') throw this.error(pos, 'invalid quote encountered')
    try {
      return unquote(literal)
    } catch (e) {
      if (e instanceof QuoteSyntaxError) throw this.error(pos, `unquoting failed: ${e.message}`)
      throw e
    }
  }

  private error(pos: number, msg: string): BerthError {
    return invalidArgument(`filters: parse error: ${formatParseError(this.sc.input, pos, msg)}`)
  }
}

/**
 * The selectors of one filter string, all of which must hold. "" has none (it matches everything).
 * Throws InvalidArgument on a syntax error.
 */
export function parseSelectors(input: string): Selector[] {
  // Filters arrive from the UI over IPC, where the type is only a promise.
  if (typeof input !== 'string')
    throw invalidArgument(`filters: a filter must be a string, not ${typeof input}`)
  if (input === '') return []
  return new Parser(input).selectors()
}
