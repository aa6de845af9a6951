// `<app binary> --berth-cli ARGS…`: the installed app runs the bundled berth command line. With the
// RunAsNode fuse off the binary cannot act as node, so main forks a utilityProcess on the CLI bundle
// (through ./cli-child.ts, which gives it a stdin), lets it write straight to the terminal, and exits
// with its exit code. No window, no single-instance lock, no store opened in main.
import type { App, UtilityProcess } from 'electron'

export const CLI_FLAG = '--berth-cli'

/** The arguments after --berth-cli, or null when main was started as the app. */
export function cliArgs(argv: readonly string[]): string[] | null {
  const i = argv.indexOf(CLI_FLAG)
  return i < 0 ? null : argv.slice(i + 1)
}

export interface CliLaunchDeps {
  app: Pick<App, 'whenReady' | 'exit'> & { dock?: { hide(): void } }
  fork: (entry: string, args: string[], opts: { stdio: 'inherit'; serviceName: string }) => UtilityProcess
  stdin: NodeJS.ReadStream
}

/** Messages between main and ./cli-child.ts about stdin (utilityProcess cannot inherit it). */
export type StdinMessage = { type: 'stdin'; data: Uint8Array } | { type: 'stdin-end' }

export async function runCli(entry: string, args: string[], deps: CliLaunchDeps): Promise<void> {
  deps.app.dock?.hide()
  await deps.app.whenReady()
  const child = deps.fork(entry, args, { stdio: 'inherit', serviceName: 'berth' })
  child.once('exit', (code) => deps.app.exit(typeof code === 'number' ? code : 1))
  // Ctrl-C reaches the CLI too, which stops cleanly (an import removes its ingest); main waits for it
  // rather than dying first, and ends it only if it has not stopped a moment later.
  process.on('SIGINT', () => void setTimeout(() => child.kill(), 3000).unref())
  // The child pulls one chunk per read, so a 300 MiB `images import -` never piles up in main. A
  // terminal stays the user's: the CLI gets piped input only (a password prompt needs --password-stdin).
  const { stdin } = deps
  let ended = Boolean(stdin.isTTY)
  const end = (): void => {
    ended = true
    child.postMessage({ type: 'stdin-end' } satisfies StdinMessage)
  }
  if (!ended) {
    stdin.pause()
    stdin.on('data', (data: Buffer) => {
      stdin.pause()
      child.postMessage({ type: 'stdin', data: new Uint8Array(data) } satisfies StdinMessage)
    })
    stdin.once('end', end)
    stdin.once('error', end)
  }
  child.on('message', (m: unknown) => {
    if ((m as { type?: unknown })?.type !== 'stdin-pull') return
    if (ended) end()
    else stdin.resume()
  })
}
