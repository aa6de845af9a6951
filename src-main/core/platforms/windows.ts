// Which Windows container builds a Windows host can run, as containerd (platforms v1.0.0-rc.5) decides.
import type { Platform } from '../oci'
import { goCompare, goParseUint } from './gostr'
import type { MatchComparer, Matcher } from './types'

export interface WindowsVersion {
  major: number
  minor: number
  build: number
}

/** Windows Server 2019 (RS5). */
export const LTSC2019 = 17763
/** Windows Server 2022: the first build with a stable container ABI. */
export const LTSC2022 = 20348
/** Windows Server 2025. */
export const LTSC2025 = 26100
/** The stable-ABI LTSC releases, ascending. */
export const COMPAT_LTSC_RELEASES: readonly number[] = [LTSC2022, LTSC2025]

const ZERO: WindowsVersion = { major: 0, minor: 0, build: 0 }

/**
 * `major.minor.build[.anything]` with major, minor ≤ 255 and build ≤ 65535; anything else (fewer than
 * two dots, signs, overflow) is the zero version, which containerd treats as "no version".
 */
export function parseWindowsVersion(v: string): WindowsVersion {
  const pieces = v.split('.')
  if (pieces.length < 3) return ZERO
  const major = goParseUint(pieces[0], 8)
  const minor = goParseUint(pieces[1], 8)
  const build = goParseUint(pieces[2], 16)
  if (major === undefined || minor === undefined || build === undefined) return ZERO
  return { major, minor, build }
}

const isZero = (v: WindowsVersion): boolean => v.major === 0 && v.minor === 0 && v.build === 0

/**
 * Whether a host build can run a container build. Before WS2022 the builds must be equal. From WS2022
 * on (stable ABI) a host runs containers from the LTSC before its own LTSC generation up to its own
 * build. This is rc.5's floor (the entry before the newest LTSC ≤ host), which keeps WS2022 containers
 * runnable on hosts past WS2025; later platforms HEAD narrows it to the newest LTSC below the host.
 */
export function windowsHostCanRun(host: WindowsVersion, ctr: WindowsVersion): boolean {
  if (host.major !== ctr.major || host.minor !== ctr.minor) return false
  if (host.build < LTSC2022) return host.build === ctr.build
  let floor = LTSC2022
  for (let i = COMPAT_LTSC_RELEASES.length - 1; i >= 0; i--) {
    if (host.build >= COMPAT_LTSC_RELEASES[i]) {
      floor = COMPAT_LTSC_RELEASES[i === 0 ? 0 : i - 1]
      break
    }
  }
  return floor <= ctr.build && ctr.build <= host.build
}

/**
 * A check of candidate osVersions against a matcher's osVersion. An empty or unparseable matcher version,
 * or an empty candidate version, always passes.
 */
export function windowsVersionMatcher(matcherVersion: string): (candidateVersion: string) => boolean {
  const host = parseWindowsVersion(matcherVersion)
  return (v) => isZero(host) || v === '' || windowsHostCanRun(host, parseWindowsVersion(v))
}

/** Images from before win32k was an os.feature must still match, so the matcher ignores it (once). */
export function withoutWin32k(p: Platform): Platform {
  const features = p.osFeatures
  const i = features ? features.indexOf('win32k') : -1
  if (!features || i < 0) return p
  return { ...p, osFeatures: [...features.slice(0, i), ...features.slice(i + 1)] }
}

/** Among matches, prefers the greater osVersion string (byte order, so "…17763.9" beats "…17763.10"). */
export function windowsMatchComparer(m: Matcher): MatchComparer {
  const comparer = {
    match: (p: Platform) => m.match(p),
    less(a: Platform, b: Platform) {
      const ma = m.match(a)
      const mb = m.match(b)
      if (ma && mb) return goCompare(a.osVersion ?? '', b.osVersion ?? '') > 0
      return ma && !mb
    },
    toString: () => String(m),
  }
  return comparer
}
