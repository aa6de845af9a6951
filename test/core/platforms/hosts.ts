// Hosts the tests run "on": each test injects one, so results do not depend on this machine.
import type { Platform } from '../../../src-main/core/oci'

export const linuxAmd64: Platform = { os: 'linux', architecture: 'amd64' }
export const linuxArm64: Platform = { os: 'linux', architecture: 'arm64' }
export const linuxArmV7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' }
export const linuxArmV6: Platform = { os: 'linux', architecture: 'arm', variant: 'v6' }
export const darwinArm64: Platform = { os: 'darwin', architecture: 'arm64' }
export const freebsdAmd64: Platform = { os: 'freebsd', architecture: 'amd64' }
export const windows2019: Platform = { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }
export const windows2022: Platform = { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' }
export const windows2025: Platform = { os: 'windows', architecture: 'amd64', osVersion: '10.0.26100' }

export const HOSTS: Record<string, Platform> = {
  'linux/amd64': linuxAmd64,
  'linux/arm64': linuxArm64,
  'linux/arm/v7': linuxArmV7,
  'linux/arm/v6': linuxArmV6,
  'darwin/arm64': darwinArm64,
  'windows/amd64 10.0.20348': windows2022,
}

/** A platform literal with Go's zero values left out. */
export function pl(
  os: string,
  architecture: string,
  variant = '',
  osVersion = '',
  osFeatures: string[] = [],
): Platform {
  const p: Platform = { os, architecture }
  if (variant) p.variant = variant
  if (osVersion) p.osVersion = osVersion
  if (osFeatures.length) p.osFeatures = osFeatures
  return p
}

/** Go's insertion sort (what sort.Slice and sort.SliceStable do for short slices), with a Less function. */
export function goSort<T>(items: readonly T[], less: (a: T, b: T) => boolean): T[] {
  const out = [...items]
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) {
      const t = out[j]
      out[j] = out[j - 1]
      out[j - 1] = t
    }
  }
  return out
}
