// Starting the real store host from tests and benchmarks, the way the app does but under plain Node.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { forkHost, type ForkOptions, type HostLauncher } from '../../src-main/host/fork'

export const ROOT = resolve(__dirname, '../..')

/** The newest modification time of any file below `dir`. */
export function newest(dir: string): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/**
 * The host entry for plain Node: the built out/main/host.js when it is newer than every source it is
 * built from, else src-main/host/main.ts under tsx, so a test never runs a stale build.
 */
export function hostEntry(): { entry: string; execArgv: string[] } {
  const built = join(ROOT, 'out/main/host.js')
  const sources = Math.max(newest(join(ROOT, 'src-main')), statSync(join(ROOT, 'src-preload/api.ts')).mtimeMs)
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return { entry: built, execArgv: [] }
  return { entry: join(ROOT, 'src-main/host/main.ts'), execArgv: ['--import', 'tsx'] }
}

export function nodeHostLauncher(opts: Omit<ForkOptions, 'execArgv'> = {}): HostLauncher {
  const { entry, execArgv } = hostEntry()
  return forkHost(entry, { ...opts, execArgv })
}
