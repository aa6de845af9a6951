// Real container tools from Debian: tests use them where installed and skip with a printed reason where not.
import { execFileSync, spawnSync } from 'node:child_process'

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

/** skopeo's view of an image's config for one platform: `skopeo inspect --config --override-…`. */
export function skopeoConfig(
  ref: string,
  os: string,
  arch: string,
  variant?: string,
): Record<string, unknown> {
  const args = ['inspect', '--override-os', os, '--override-arch', arch]
  if (variant) args.push('--override-variant', variant)
  return JSON.parse(execFileSync('skopeo', [...args, '--config', ref]).toString()) as Record<string, unknown>
}
