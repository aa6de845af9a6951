// What every command gets: the store (opened on first use), the namespace, where to write, and whether
// to print JSON.
import type { Berth } from '../service/berth'
import type { ContainerdSource } from '../service/sources/containerd-source'
import type { Parsed } from './args'

export interface CommandContext {
  /** Opens the store at `root` on first call; commands that need no store never pay for it. */
  berth: () => Berth
  /** The store root the command works on (--root, $BERTH_ROOT or the app's own). */
  root: string
  /** --address (or $CONTAINERD_ADDRESS) as given: the image commands act on that containerd daemon. */
  address?: string
  /** The daemon of --address (else containerd's default socket), connected on first use. */
  containerd: () => Promise<ContainerdSource>
  namespace: string
  json: boolean
  out: (s: string) => void
  err: (s: string) => void
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  /** Exit status the command asks for when it returns normally (ctr exits non-zero on some partial failures). */
  exitCode?: number
}

/** A command's body: its flags and arguments are already parsed against its FlagDefs. */
export type CommandBody = (ctx: CommandContext, p: Parsed) => Promise<void>

export function printJSON(ctx: CommandContext, v: unknown): void {
  ctx.out(JSON.stringify(v, null, 2) + '\n')
}
