// This machine as Go would name it (GOOS/GOARCH, the ARM variant, the Windows build). Everything else in
// the platforms module takes the host as an argument; this file is the only one that looks at the machine.
import { readFileSync } from 'node:fs'
import os from 'node:os'
import type { Platform } from '../oci'
import { cpuVariantFromCpuinfo } from './cpuinfo'
import { isArmArch, normalizeArch } from './names'

const GOOS: Record<string, string> = {
  win32: 'windows',
  cygwin: 'windows',
  sunos: 'solaris',
}

/** Go's GOOS for a Node `process.platform`. */
export function goos(platform: string = process.platform): string {
  return GOOS[platform] ?? platform
}

/** Go's GOARCH for a Node `process.arch` (ppc64 is little-endian unless the machine says otherwise). */
export function goarch(arch: string = process.arch, endianness: string = os.endianness()): string {
  switch (arch) {
    case 'x64':
      return 'amd64'
    case 'ia32':
      return '386'
    case 'mipsel':
      return 'mipsle'
    case 'ppc64':
      return endianness === 'LE' ? 'ppc64le' : 'ppc64'
    default:
      return arch
  }
}

/** containerd's cpuVariant(): "" off ARM, and "" when the variant cannot be determined. */
function hostCpuVariant(goosName: string, goarchName: string): string {
  if (!isArmArch(goarchName)) return ''
  switch (goosName) {
    case 'linux':
    case 'android': {
      try {
        return cpuVariantFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'), os.machine(), goarchName)
      } catch {
        // containerd logs and carries on with an empty variant.
        return ''
      }
    }
    case 'windows':
    case 'darwin':
      return goarchName === 'arm64' ? 'v8' : 'v7'
    case 'freebsd':
      return goarchName === 'arm64' ? 'v8' : 'unknown'
    default:
      return ''
  }
}

/** `major.minor.build` of the running Windows, as RtlGetNtVersionNumbers reports it. */
function windowsBuild(): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(os.release())
  return m ? `${m[1]}.${m[2]}.${m[3]}` : ''
}

let rawSpec: Platform | undefined
let normalizedSpec: Platform | undefined

/**
 * containerd's DefaultSpec() for this machine: not normalized, so an arm64 host says `v8`
 * (DefaultString() gives "linux/arm64/v8" there, as containerd's does).
 */
export function machineSpec(): Platform {
  if (!rawSpec) {
    const o = goos()
    const a = goarch()
    const spec: Platform = { os: o, architecture: a }
    const variant = hostCpuVariant(o, a)
    if (variant !== '') spec.variant = variant
    if (o === 'windows') {
      const v = windowsBuild()
      if (v !== '') spec.osVersion = v
    }
    rawSpec = spec
  }
  return { ...rawSpec }
}

/** This machine, normalized. */
export function hostPlatform(): Platform {
  if (!normalizedSpec) {
    const spec = machineSpec()
    const [architecture, variant] = normalizeArch(spec.architecture, spec.variant ?? '')
    normalizedSpec = { ...spec, architecture }
    if (variant === '') delete normalizedSpec.variant
    else normalizedSpec.variant = variant
  }
  return { ...normalizedSpec }
}

/** The host to use when a caller gave none. */
export const hostOr = (host: Platform | undefined): Platform => host ?? hostPlatform()
