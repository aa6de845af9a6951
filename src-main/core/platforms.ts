// Platforms: parsing, normalizing, formatting and matching OCI platforms as containerd's
// github.com/containerd/platforms does (v1.0.0-rc.5, the version containerd ships). Every function that
// depends on the host takes it as an optional last argument (default: hostPlatform()); forHost(host)
// binds it for the variadic ones.
import type { Platform } from './oci'
import { anyFor, orderedFor } from './platforms/compare'
import type { MatchComparer } from './platforms/types'

export type { Platform } from './oci'
export type { Matcher, MatchComparer } from './platforms/types'
export { parse, parseAll } from './platforms/parse'
export { normalize, normalizeOS } from './platforms/normalize'
export { format, formatAll } from './platforms/format'
export { newMatcher } from './platforms/match'
export { all, only, onlyOS, onlyStrict, platformVector } from './platforms/compare'
export { defaultMatcher, defaultSpec, defaultString, defaultStrict } from './platforms/defaults'
export { hostPlatform, goarch, goos } from './platforms/host'
export { cpuVariantFromArch, cpuVariantFromCpuinfo, cpuinfoField } from './platforms/cpuinfo'
export { isKnownArch, isKnownOS, normalizeArch } from './platforms/names'
export { parseWindowsVersion, windowsHostCanRun, type WindowsVersion } from './platforms/windows'
export { forHost, type PlatformsForHost } from './platforms/bound'

/** Matches any of `ps`, preferring them in the order given (containerd's Ordered). */
export function ordered(...ps: Platform[]): MatchComparer {
  return orderedFor(undefined, ps)
}

/** Matches any of `ps` with no preference among them (containerd's Any). */
export function any(...ps: Platform[]): MatchComparer {
  return anyFor(undefined, ps)
}
