// Main owns every file path. The renderer never names a path of its own choosing: the open and save
// dialogs (which main shows) grant the path the user picked, once, for a short while, for one purpose,
// and a channel that takes a path is refused unless that path was granted for that channel's purpose.
// Which channel takes a path, in which field, for what, is the table below: a channel added later
// (files.save) adds a row.
import type { Channel } from '../../src-preload/api'

export type PathPurpose = 'open' | 'save'

export interface PathRule {
  /** The field of the channel's one request object that holds the path. */
  field: string
  purpose: PathPurpose
}

export const PATH_RULES: Partial<Record<Channel, PathRule>> = {
  'images.import': { field: 'path', purpose: 'open' },
  'images.export': { field: 'path', purpose: 'save' },
  'files.save': { field: 'path', purpose: 'save' },
}

export interface PathGrants {
  grant(path: string, purpose: PathPurpose): void
  /** True once per grant: the grant is used up whether or not the call then succeeds. */
  take(path: string, purpose: PathPurpose): boolean
}

export interface PathGrantOptions {
  /** How long a granted path stays usable. */
  ttlMs?: number
  /** Grants kept at once; the oldest go first (each needs a user's click, so a few are plenty). */
  max?: number
  now?: () => number
}

export function createPathGrants(opts: PathGrantOptions = {}): PathGrants {
  const ttl = opts.ttlMs ?? 10 * 60_000
  const max = opts.max ?? 16
  const now = opts.now ?? Date.now
  let grants: { path: string; purpose: PathPurpose; until: number }[] = []
  return {
    grant(path, purpose) {
      grants = [...grants.filter((g) => g.until > now()), { path, purpose, until: now() + ttl }].slice(-max)
    },
    take(path, purpose) {
      const i = grants.findIndex((g) => g.path === path && g.purpose === purpose && g.until > now())
      if (i < 0) return false
      grants.splice(i, 1)
      return true
    },
  }
}
