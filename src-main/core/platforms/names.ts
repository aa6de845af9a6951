// The names containerd knows (Go's syslist) and the spellings it folds into them.
import { goLower } from './gostr'

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
])

const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
])

/** Expects a normalized OS name. */
export const isKnownOS = (os: string): boolean => KNOWN_OS.has(os)
/** Expects a normalized architecture. */
export const isKnownArch = (arch: string): boolean => KNOWN_ARCH.has(arch)
export const isArmArch = (arch: string): boolean => arch === 'arm' || arch === 'arm64'

/** Lower-cases a non-empty OS and folds `macos` into `darwin`; the empty OS is the host's, given lazily. */
export function normalizeOSName(os: string, hostOS: () => string): string {
  if (os === '') return hostOS()
  const lower = goLower(os)
  return lower === 'macos' ? 'darwin' : lower
}

/** Canonical [architecture, variant], as containerd's normalizeArch. */
export function normalizeArch(arch: string, variant: string): [string, string] {
  arch = goLower(arch)
  variant = goLower(variant)
  switch (arch) {
    case 'i386':
      return ['386', '']
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant]
    case 'aarch64':
    case 'arm64':
      switch (variant) {
        case '8':
        case 'v8':
        case 'v8.0':
          return ['arm64', '']
        case '9':
        case '9.0':
        case 'v9.0':
          return ['arm64', 'v9']
      }
      return ['arm64', variant]
    case 'armhf':
      return ['arm', 'v7']
    case 'armel':
      return ['arm', 'v6']
    case 'arm':
      switch (variant) {
        case '':
        case '7':
          return ['arm', 'v7']
        case '5':
        case '6':
        case '8':
          return ['arm', 'v' + variant]
      }
      return ['arm', variant]
  }
  return [arch, variant]
}
