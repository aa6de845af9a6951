// `berth` — the command line over the same store and the same service functions as the app:
//   berth [--root DIR] [--address SOCKET] [-n NAMESPACE] [--json] COMMAND ...
// run() parses, dispatches through the command table (commands.ts) and turns the outcome into an exit
// status (usage.ts): errors print one line naming the problem. bin.ts is the executable around it.
import type { Berth } from '../service/berth'
import type { ContainerdSource } from '../service/sources/containerd-source'
import { resolveRoot } from '../service/root'
import { parseFlags, parseGlobal } from './args'
import { find, isGroup, TOP, type CommandSpec, type GroupSpec } from './commands'
import { commandHelp, groupHelp, topHelp } from './help'
import type { CommandContext } from './io'
import {
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  Interrupted,
  nearest,
  usage,
  UsageError,
} from './usage'

export interface RunIO {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  env?: NodeJS.ProcessEnv
}

/** Why the run was stopped from outside: Ctrl-C, or the reader of stdout went away. */
type StopReason = 'interrupted' | 'broken-pipe'

interface Resolved {
  /** `images ls`, `gc`: what help and errors call the command. */
  path: string
  spec?: CommandSpec
  group?: GroupSpec
  args: string[]
}

function unknown(word: string, choices: readonly { name: string }[], where: string): UsageError {
  const guess = nearest(
    word,
    choices.map((c) => c.name),
  )
  const see = where ? `berth ${where} --help` : 'berth --help'
  return usage(
    `${where ? `${where}: ` : ''}unknown command ${JSON.stringify(word)}${guess ? ` (did you mean ${guess}?)` : ''} (see ${see})`,
  )
}

/** Walks the words to a command (or a group when the words stop there). */
function resolve(words: string[]): Resolved {
  const [first, ...rest] = words
  const top = find(TOP, first)
  if (!top) throw unknown(first, TOP, '')
  if (!isGroup(top)) return { path: top.name, spec: top, args: rest }
  const [sub, ...args] = rest
  if (sub === undefined) return { path: top.name, group: top, args }
  const spec = find(top.commands, sub)
  if (!spec) throw unknown(sub, top.commands, top.name)
  return { path: `${top.name} ${spec.name}`, spec, group: top, args }
}

function helpFor(r: Resolved): string {
  if (r.spec) return commandHelp(r.path, r.spec)
  return r.group ? groupHelp(r.group) : topHelp()
}

export async function run(argv: string[], io: RunIO = process): Promise<number> {
  let berth: Berth | undefined
  let daemon: ContainerdSource | undefined
  const ac = new AbortController()
  let stopped: StopReason | undefined
  const stop = (why: StopReason) => {
    stopped ??= why
    ac.abort(why)
  }
  let interrupts = 0
  let usedStdin = false
  const onSignal = () => {
    // A second Ctrl-C does not wait for the work in hand to wind down.
    if (++interrupts > 1) process.exit(EXIT_INTERRUPTED)
    stop('interrupted')
    // A read of stdin that waits for bytes (import -) ends now, with an error the command reports.
    if (usedStdin) (io.stdin ?? process.stdin).destroy()
  }
  // A reader that went away (`berth images export - | head`) is no error: stop writing and end quietly.
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stop('broken-pipe')
  }
  process.on('SIGINT', onSignal)
  io.stdout.on('error', onStdoutError)
  const err = (s: string) => void io.stderr.write(s)
  const env = io.env ?? process.env
  try {
    const g = parseGlobal(argv, env)
    if (g.version && g.rest.length === 0) {
      io.stdout.write(`berth ${(await import('./version')).version()}\n`)
      return EXIT_OK
    }
    if (g.rest[0] === 'help') {
      io.stdout.write(g.rest.length > 1 ? helpFor(resolve(g.rest.slice(1))) : topHelp())
      return EXIT_OK
    }
    if (g.rest.length === 0 && g.help) {
      io.stdout.write(topHelp())
      return EXIT_OK
    }
    const r: Resolved = g.rest.length ? resolve(g.rest) : { path: '', args: [] }
    if (g.help) {
      io.stdout.write(helpFor(r))
      return EXIT_OK
    }
    if (!r.spec) {
      // A group (or berth itself) without a command: the help is the answer, but the line was wrong.
      io.stderr.write(helpFor(r))
      return EXIT_USAGE
    }
    const spec = r.spec
    if (g.address !== undefined && !spec.daemon)
      throw usage(
        g.addressFrom === 'env'
          ? `${r.path} works on Berth's store, and $CONTAINERD_ADDRESS is set (${g.address}): unset it for this command (CONTAINERD_ADDRESS= berth …)`
          : `${r.path} works on Berth's store: --address applies to the image commands`,
        r.path,
      )
    const parsed = parseFlags(r.args, spec.flags, r.path)
    const root = resolveRoot(g.root, env)
    // The store module (SQLite and the content store) loads only for commands that use it.
    const openBerth = spec.store === false ? undefined : (await import('../service/berth')).openBerth
    const ctx: CommandContext = {
      berth: () => {
        if (!openBerth) throw new Error(`${r.path} does not open the store`)
        return (berth ??= openBerth({ root }))
      },
      root,
      address: g.address,
      containerd: async () => {
        if (daemon) return daemon
        const { ContainerdSource } = await import('../service/sources/containerd-source')
        const { DEFAULT_ADDRESS } = await import('../core/containerd/address')
        return (daemon ??= new ContainerdSource(g.address ?? DEFAULT_ADDRESS, { root }))
      },
      namespace: g.namespace,
      json: g.json,
      out: (s) => {
        if (!stopped) io.stdout.write(s)
      },
      err,
      stdout: io.stdout,
      stderr: io.stderr,
      get stdin() {
        usedStdin = true
        return io.stdin ?? process.stdin
      },
      env,
      signal: ac.signal,
    }
    const body = await spec.load()
    await body(ctx, parsed)
    if (stopped === 'interrupted') return EXIT_INTERRUPTED
    return ctx.exitCode ?? EXIT_OK
  } catch (e) {
    if (stopped === 'broken-pipe') return EXIT_OK
    const msg = e instanceof Error ? e.message : String(e)
    if (e instanceof UsageError) {
      err(`berth: ${msg}${e.command ? ` (see berth ${e.command} --help)` : ''}\n`)
      return EXIT_USAGE
    }
    err(`berth: ${msg.split('\n')[0]}\n`)
    if (env.BERTH_DEBUG && e instanceof Error) err(`${e.stack}\n`)
    return stopped === 'interrupted' || e instanceof Interrupted ? EXIT_INTERRUPTED : EXIT_FAILURE
  } finally {
    process.off('SIGINT', onSignal)
    io.stdout.off('error', onStdoutError)
    daemon?.close()
    try {
      berth?.close()
    } catch (e) {
      err(`berth: closing the store: ${(e as Error).message}\n`)
    }
  }
}
