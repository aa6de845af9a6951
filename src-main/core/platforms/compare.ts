// Match comparers: which platforms a host accepts, and which of several it prefers.
import type { Platform } from '../oci'
import { goAtoi } from './gostr'
import { featuresSubset, newMatcher } from './match'
import { makePlatform, normalize } from './normalize'
import type { MatchComparer, Matcher } from './types'
import { windowsVersionMatcher } from './windows'

/** arm64 variant → [major, highest minor] runs of arm64 variants it can run, newest first. */
const ARM64_RUNS: Record<string, ReadonlyArray<readonly [number, number]>> = {
  v8: [[8, 0]],
  'v8.0': [[8, 0]],
  'v8.1': [[8, 1]],
  'v8.2': [[8, 2]],
  'v8.3': [[8, 3]],
  'v8.4': [[8, 4]],
  'v8.5': [[8, 5]],
  'v8.6': [[8, 6]],
  'v8.7': [[8, 7]],
  'v8.8': [[8, 8]],
  'v8.9': [[8, 9]],
  v9: [
    [9, 0],
    [8, 5],
  ],
  'v9.0': [
    [9, 0],
    [8, 5],
  ],
  'v9.1': [
    [9, 1],
    [8, 6],
  ],
  'v9.2': [
    [9, 2],
    [8, 7],
  ],
  'v9.3': [
    [9, 3],
    [8, 8],
  ],
  'v9.4': [
    [9, 4],
    [8, 9],
  ],
  'v9.5': [
    [9, 5],
    [8, 9],
  ],
  'v9.6': [
    [9, 6],
    [8, 9],
  ],
  'v9.7': [
    [9, 7],
    [8, 9],
  ],
}

/**
 * containerd lists every variant below vN; a typed `amd64/v99999999` would then build a hundred
 * million entries and hang the app. No real CPU level is near this bound.
 */
const MAX_VARIANT = 1024

/**
 * The platforms a (normalized) platform can run, best first: amd64/vN down to amd64 then 386,
 * arm/vN down to arm/v5, arm64 variants from the table then arm/v8…v5. An arm64 variant missing from
 * the table yields nothing at all, as in containerd.
 */
export function platformVector(p: Platform): Platform[] {
  const like = (architecture: string, variant: string): Platform =>
    makePlatform(p.os, architecture, variant, p.osVersion ?? '', p.osFeatures)
  const variantNumber = (): number | undefined => {
    const v = p.variant ?? ''
    return goAtoi(v.startsWith('v') ? v.slice(1) : v)
  }

  switch (p.architecture) {
    case 'amd64': {
      const vector = [p]
      const n = variantNumber()
      if (n !== undefined && n > 1)
        for (let v = Math.min(n - 1, MAX_VARIANT); v >= 1; v--) vector.push(like('amd64', `v${v}`))
      vector.push(like('386', ''))
      return vector
    }
    case 'arm': {
      const vector = [p]
      const n = variantNumber()
      if (n !== undefined && n > 5)
        for (let v = Math.min(n - 1, MAX_VARIANT); v >= 5; v--) vector.push(like('arm', `v${v}`))
      return vector
    }
    case 'arm64': {
      let variant = p.variant || 'v8'
      const runs = ARM64_RUNS[variant]
      if (!runs) return []
      const vector: Platform[] = []
      for (const [major, top] of runs) {
        for (let minor = top; minor >= 0; minor--) {
          vector.push(like('arm64', minor === 0 ? `v${major}` : `v${major}.${minor}`))
        }
      }
      // Every arm64 generation also runs 32-bit arm code up to arm/v8.
      if (variant.startsWith('v8') || variant.startsWith('v9')) variant = 'v8'
      return [...vector, ...platformVector(like('arm', variant))]
    }
  }
  return [p]
}

/** Prefers whichever platform the earliest matcher accepts; ties go to the one with more features. */
export function orderedMatchers(matchers: readonly Matcher[]): MatchComparer {
  const less = (a: Platform, b: Platform): boolean => {
    for (const m of matchers) {
      const am = m.match(a)
      const bm = m.match(b)
      if (am && !bm) return true
      if (am || bm) {
        if (am && bm) return featureCount(a) > featureCount(b)
        return false
      }
    }
    // Neither is acceptable as it stands: rank them by what they would be without features.
    if (featureCount(a) > 0 || featureCount(b) > 0) return less(withoutFeatures(a), withoutFeatures(b))
    return false
  }
  return { match: (p) => matchers.some((m) => m.match(p)), less }
}

const featureCount = (p: Platform): number => p.osFeatures?.length ?? 0
const withoutFeatures = (p: Platform): Platform => ({ ...p, osFeatures: undefined })

/** Matches any of `ps`, preferring them in the order given. */
export function orderedFor(host: Platform | undefined, ps: readonly Platform[]): MatchComparer {
  return orderedMatchers(ps.map((p) => newMatcher(p, host)))
}

/** Matches any of `ps` with no preference among them: matches only sort before non-matches. */
export function anyFor(host: Platform | undefined, ps: readonly Platform[]): MatchComparer {
  const matchers = ps.map((p) => newMatcher(p, host))
  const less = (a: Platform, b: Platform): boolean => {
    let am = false
    let bm = false
    for (const m of matchers) {
      if (!am && m.match(a)) am = true
      if (!bm && m.match(b)) bm = true
      if (am && bm) {
        if (featureCount(a) !== featureCount(b)) return featureCount(a) > featureCount(b)
        break
      }
    }
    if (!am && !bm && (featureCount(a) > 0 || featureCount(b) > 0)) {
      return less(withoutFeatures(a), withoutFeatures(b))
    }
    return am && !bm
  }
  return { match: (p) => matchers.some((m) => m.match(p)), less }
}

/** Matches every platform and prefers none, so a stable sort keeps the input order. */
export const all: MatchComparer = { match: () => true, less: () => false }

/**
 * containerd's default resolution for one platform: it and everything it can run, best first
 * (amd64 also runs 386, arm/v7 runs v6 and v5, arm64 runs arm/v8…v5).
 */
export function only(p: Platform, host?: Platform): MatchComparer {
  return orderedFor(host, platformVector(normalize(p, host)))
}

/** Only the platform itself, in any spelling that normalizes to it (no sub-platforms). */
export function onlyStrict(p: Platform, host?: Platform): MatchComparer {
  return orderedFor(host, [normalize(p, host)])
}

/**
 * Every architecture of p's OS (with the Windows version and feature-subset rules); the exact
 * NewMatcher(p) match ranks first, other architectures after it, other OSes last.
 */
export function onlyOS(p: Platform, host?: Platform): MatchComparer {
  const want = normalize(p, host)
  const wantFeatures = want.osFeatures ?? []
  const versionOK = want.os === 'windows' ? windowsVersionMatcher(want.osVersion ?? '') : () => true
  const archOrder = orderedMatchers([newMatcher(want, host)])
  const matchOS = (candidate: Platform): boolean => {
    const c = normalize(candidate, host)
    return (
      c.os === want.os &&
      versionOK(candidate.osVersion ?? '') &&
      featuresSubset(c.osFeatures ?? [], wantFeatures)
    )
  }
  return {
    match: matchOS,
    less(a, b) {
      const am = matchOS(a)
      const bm = matchOS(b)
      if (am && !bm) return true
      if (!am) return false
      return archOrder.less(a, b)
    },
  }
}
