// Runs the real `berth` CLI (tsx src-main/cli/main.ts) as a child process against a temp root.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(__dirname, '..', '..')

export interface Run {
  code: number
  stdout: string
  stderr: string
  raw: Buffer
}

export function berth(root: string, args: string[], env: Record<string, string> = {}, input?: Buffer): Run {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'src-main', 'cli', 'main.ts'),
      '--root',
      root,
      ...args,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, BERTH_ROOT: '', ...env },
      maxBuffer: 256 << 20,
      input,
    },
  )
  return {
    code: r.status ?? -1,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    raw: r.stdout,
  }
}

/** Like berth() but without --root, for the root-resolution tests. */
export function berthNoRoot(args: string[], env: Record<string, string>): Run {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src-main', 'cli', 'main.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
    },
  )
  return {
    code: r.status ?? -1,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    raw: r.stdout,
  }
}
