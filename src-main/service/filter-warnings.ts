// The warnings a list answer carries beside its items: selectors that parse but can never match.
import { regexpProblems } from '../core/filters'
import type { FilterWarning } from '../../src-preload/api'

/** Undefined when there is nothing to say, so answers without warnings keep their old shape. */
export function filterWarnings(filters: readonly string[]): FilterWarning[] | undefined {
  const problems = regexpProblems(...filters)
  if (problems.length === 0) return undefined
  // One warning per selector, however many filter strings repeat it.
  const bySelector = new Map(problems.map((p) => [p.selector, `${p.selector} matches nothing: ${p.error}`]))
  return [...bySelector].map(([expression, message]) => ({ expression, message }))
}
