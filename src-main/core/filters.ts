// containerd's filter language (pkg/filters), e.g. `name==foo,labels."containerd.io/gc.root"`.
// The scanner, quoting and parser live in ./filters/; this module is the public surface.

import { invalidArgument, isKind } from './errors'
import { matchAll, type Adaptor, type Filter } from './filters/match'
import { parseSelectors, type Selector } from './filters/parser'

export type { Adaptor, Filter, AdaptSpec } from './filters/match'
export type { Operator, Selector } from './filters/parser'
export {
  adapt,
  checkMap,
  matchSelector,
  matchValue,
  MAX_REGEXP_PROGRAM,
  regexpProgramSize,
  regexpSearch,
} from './filters/match'
export { parseSelectors } from './filters/parser'
export { regexpProblems, type RegexpProblem } from './filters/regexp-problems'
export { Token, tokenize, type Scanned } from './filters/scanner'
export { unquote, QuoteSyntaxError } from './filters/quote'

/**
 * A parsed filter together with its syntax, for callers that translate it (e.g. into SQL) instead of
 * calling match().
 *
 * `alternatives` is an OR of ANDs: the filter matches an object when, for at least one alternative, every
 * selector in it holds. An alternative with no selectors always holds, so the filter matches everything
 * iff some alternative is empty (see matchesEverything). `alternatives` itself is never empty.
 *
 * Per selector: operator '' tests presence; '==' needs the field present and equal; '!=' compares with ""
 * for an absent field; '~=' is an unanchored RE2 search over the value ("" when absent), and never holds
 * when the pattern does not compile (use matchValue / regexpSearch to evaluate one outside SQL).
 */
export interface ParsedFilter extends Filter {
  readonly alternatives: readonly (readonly Selector[])[]
}

function filterOf(alternatives: Selector[][]): ParsedFilter {
  return {
    alternatives,
    match: (a: Adaptor) => alternatives.some((sels) => matchAll(sels, a)),
  }
}

/** One filter string: comma-separated selectors that must all hold. "" matches everything. */
export function parse(s: string): ParsedFilter {
  return filterOf([parseSelectors(s)])
}

/**
 * The OR of the given filter strings; no strings, or any "", matches everything. A string that fails to
 * parse fails the call with InvalidArgument, its message suffixed as upstream's errdefs wrapping does.
 */
export function parseAll(...ss: string[]): ParsedFilter {
  if (ss.length === 0) return filterOf([[]])
  return filterOf(
    ss.map((s) => {
      try {
        return parseSelectors(s)
      } catch (e) {
        throw wrapInvalid(e)
      }
    }),
  )
}

/** True when the filter holds for every object, whatever its fields. */
export function matchesEverything(f: ParsedFilter): boolean {
  return f.alternatives.some((sels) => sels.length === 0)
}

function wrapInvalid(e: unknown): unknown {
  // Go: fmt.Errorf("%s: %w", err.Error(), errdefs.ErrInvalidArgument)
  return isKind(e, 'invalid-argument') ? invalidArgument(`${(e as Error).message}: invalid argument`, e) : e
}
