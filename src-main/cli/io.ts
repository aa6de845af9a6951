// What every command gets: the open store, the namespace, where to write, and whether to print JSON.
import type { Berth } from '../service/berth'

export interface CommandContext {
  berth: () => Berth
  namespace: string
  json: boolean
  out: (s: string) => void
  err: (s: string) => void
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  signal: AbortSignal
  /** Exit status the command asks for when it returns normally (ctr exits non-zero on some partial failures). */
  exitCode?: number
}

export function printJSON(ctx: CommandContext, v: unknown): void {
  ctx.out(JSON.stringify(v, null, 2) + '\n')
}
