// NewMatcher: equality after normalization, plus the OS-feature subset rule and, for Windows, the
// OS-version compatibility rule.
import type { Platform } from '../oci'
import { formatAll } from './format'
import { goCompare } from './gostr'
import { hostOr } from './host'
import { normalize } from './normalize'
import type { Matcher } from './types'
import { windowsMatchComparer, windowsVersionMatcher, withoutWin32k } from './windows'

/**
 * Whether every feature of `wanted` is among `offered`. Both are sorted and de-duplicated, so one
 * forward walk settles it.
 */
export function featuresSubset(wanted: readonly string[], offered: readonly string[]): boolean {
  if (wanted.length === 0) return true
  if (offered.length < wanted.length) return false
  let j = 0
  for (const feature of wanted) {
    let found = false
    for (; j < offered.length; j++) {
      const c = goCompare(feature, offered[j])
      if (c === 0) {
        found = true
        j++
        break
      }
      if (c < 0) return false
    }
    if (!found) return false
  }
  return true
}

/**
 * Matches platforms equal to `p` in OS, architecture and variant after normalization, whose features
 * are a subset of p's. Only when p's OS is spelled `windows` are OS versions compared (and the
 * candidate's win32k feature ignored). On a Windows host the matcher also ranks, preferring newer
 * osVersions, as containerd's does there.
 */
export function newMatcher(p: Platform, host?: Platform): Matcher {
  const want = normalize(p, host)
  const wantFeatures = want.osFeatures ?? []
  // containerd looks at the OS as given, not normalized: `Windows` gets no version check.
  const versionOK = p.os === 'windows' ? windowsVersionMatcher(p.osVersion ?? '') : () => true
  const toString = (): string => formatAll(want)

  const base = {
    match(candidate: Platform): boolean {
      const c = normalize(candidate, host)
      return (
        c.os === want.os &&
        c.architecture === want.architecture &&
        (c.variant ?? '') === (want.variant ?? '') &&
        versionOK(candidate.osVersion ?? '') &&
        featuresSubset(c.osFeatures ?? [], wantFeatures)
      )
    },
    toString,
  }
  if (p.os !== 'windows') return base

  const stripped = { match: (candidate: Platform) => base.match(withoutWin32k(candidate)), toString }
  return hostOr(host).os === 'windows' ? windowsMatchComparer(stripped) : stripped
}
