// Canonical forms: what containerd's Normalize does to a platform before any comparison.
import type { Platform } from '../oci'
import { sortedUnique } from './gostr'
import { hostOr } from './host'
import { normalizeArch, normalizeOSName } from './names'

/**
 * A platform with Go's zero values left out: an empty variant or osVersion and an empty feature list
 * are absent keys, so equal platforms deep-equal whichever way they were built.
 */
export function makePlatform(
  os: string,
  architecture: string,
  variant = '',
  osVersion = '',
  osFeatures: readonly string[] | undefined = undefined,
): Platform {
  const p: Platform = { os, architecture }
  if (variant !== '') p.variant = variant
  if (osVersion !== '') p.osVersion = osVersion
  if (osFeatures !== undefined && osFeatures.length > 0) p.osFeatures = [...osFeatures]
  return p
}

/** The OS as Normalize leaves it: lower case, macos → darwin, empty → the host's. */
export function normalizeOS(os: string, host?: Platform): string {
  return normalizeOSName(os, () => hostOr(host).os)
}

/**
 * A normalized copy: the OS as normalizeOS, architecture and variant canonical (aarch64 → arm64,
 * arm → arm/v7, amd64/v1 → amd64, …), features sorted and de-duplicated. osVersion is untouched.
 */
export function normalize(p: Platform, host?: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture ?? '', p.variant ?? '')
  const features = p.osFeatures && p.osFeatures.length > 0 ? sortedUnique(p.osFeatures) : undefined
  return makePlatform(normalizeOS(p.os ?? '', host), architecture, variant, p.osVersion ?? '', features)
}
