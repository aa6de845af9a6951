// Which `~=` expressions of some filters do not compile. containerd lets such a selector match nothing
// (and only logs it); callers use this to say why a list came back empty: the expression and RE2's error.
import { RE2JS } from 're2js'
import { parseSelectors, type Selector } from './parser'

export interface RegexpProblem {
  /** The filter string the expression is in. */
  filter: string
  /** The field path as written in the selector, joined with '.'. */
  field: string
  /** The pattern itself, unquoted. */
  expression: string
  /** RE2's compile error, e.g. "error parsing regexp: missing closing ): `(`". */
  error: string
  /** The selector written back from its parts, quoting fields as the language needs: `labels."a/b"~=(`. */
  selector: string
}

const BARE_FIELD = /^[A-Za-z0-9_]+$/

function selectorOf(sel: Selector): string {
  const path = sel.fieldpath.map((f) => (BARE_FIELD.test(f) ? f : JSON.stringify(f))).join('.')
  return `${path}~=${sel.value}`
}

/** Problems of every `~=` in `filters`; filters that do not parse are skipped (their error is reported elsewhere). */
export function regexpProblems(...filters: string[]): RegexpProblem[] {
  const out: RegexpProblem[] = []
  for (const filter of filters) {
    let selectors: Selector[]
    try {
      selectors = parseSelectors(filter)
    } catch {
      continue
    }
    for (const s of selectors) {
      if (s.operator !== '~=') continue
      try {
        RE2JS.compile(s.value)
      } catch (e) {
        out.push({
          filter,
          field: s.fieldpath.join('.'),
          expression: s.value,
          error: (e as Error).message,
          selector: selectorOf(s),
        })
      }
    }
  }
  return out
}
