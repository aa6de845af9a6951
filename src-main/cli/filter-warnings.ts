// Filters whose ~= expression does not compile match nothing, as in containerd; berth says so on stderr
// rather than print an empty table with no reason.
import { regexpProblems } from '../core/filters/regexp-problems'
import type { CommandContext } from './io'

/** A ~= that does not compile matches nothing, as in containerd; say so rather than show an empty table. */
export function warnRegexps(ctx: CommandContext, filters: string[]): void {
  for (const p of regexpProblems(...filters)) {
    ctx.err(
      `berth: warning: in ${JSON.stringify(p.filter)}, ${p.field}~=${JSON.stringify(p.expression)} matches nothing: ${p.error}\n`,
    )
  }
}
