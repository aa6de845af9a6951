// Real container tools from Debian: tests use them where installed and skip with a printed reason where not.
import { spawnSync } from 'node:child_process'

const cache = new Map<string, boolean>()

export function hasTool(name: string): boolean {
  let ok = cache.get(name)
  if (ok === undefined) {
    ok = spawnSync('which', [name]).status === 0
    cache.set(name, ok)
    if (!ok) console.warn(`skipping tests that need ${name}: it is not installed (apt-get install ${name})`)
  }
  return ok
}
