// Runs the `berth` CLI as users run it: the built out/main/cli.js (test/cli/build.ts builds it before the
// tests) as a child process against a temp root. `berthSource` runs the TypeScript entry through tsx,
// so both paths stay tested.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(__dirname, '..', '..')
export const BUILT_CLI = join(ROOT, 'out', 'main', 'cli.js')

export interface Run {
  code: number
  stdout: string
  stderr: string
  raw: Buffer
}

export interface RunOptions {
  env?: Record<string, string>
  input?: Buffer | string
  cwd?: string
}

function spawnBerth(argv: string[], opts: RunOptions): Run {
  const r = spawnSync(process.execPath, argv, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, BERTH_ROOT: '', ...opts.env },
    maxBuffer: 256 << 20,
    input: opts.input,
  })
  return {
    code: r.status ?? -1,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    raw: r.stdout,
  }
}

/** The built CLI with `--root root`. */
export function berth(
  root: string,
  args: string[],
  env: Record<string, string> = {},
  input?: Buffer | string,
  cwd?: string,
): Run {
  return spawnBerth([BUILT_CLI, '--root', root, ...args], { env, input, cwd })
}

/** The built CLI without --root (root-resolution tests, help, version). */
export function berthNoRoot(args: string[], env: Record<string, string> = {}, opts: RunOptions = {}): Run {
  return spawnBerth([BUILT_CLI, ...args], { ...opts, env: { ...opts.env, ...env } })
}

/** The TypeScript entry, compiled by tsx at start (what `npm run berth` ran before the CLI was built). */
export function berthSource(root: string, args: string[], opts: RunOptions = {}): Run {
  return spawnBerth(
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'src-main', 'cli', 'bin.ts'),
      '--root',
      root,
      ...args,
    ],
    { ...opts, env: { TSX_DISABLE_CACHE: '1', ...opts.env } },
  )
}
