// The ARM CPU variant as containerd derives it on Linux: from /proc/cpuinfo, else from uname's machine.
// Pure functions over the file's text so that every ARM board can be tested on any machine.
import { invalidArgument } from '../errors'
import { goLower } from './gostr'

/**
 * The value of the first `key : value` line whose key equals `key` case-insensitively. Like Go's
 * strings.Split on ":", the value stops at a second colon.
 */
export function cpuinfoField(text: string, key: string): string | undefined {
  const wanted = goLower(key)
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const parts = line.split(':')
    if (parts.length > 1 && goLower(parts[0].trim()) === wanted) return parts[1].trim()
  }
  return undefined
}

/** The raw variant number from uname's machine (`aarch64` → 8, `armv7l` → 7, `armv9` → unknown). */
export function cpuVariantFromArch(machine: string): string {
  const arch = goLower(machine)
  if (arch === 'aarch64') return '8'
  if (arch.startsWith('armv') && arch.length >= 5) {
    const n = arch.slice(3, 5)
    return ['v8', 'v7', 'v6', 'v5', 'v4', 'v3'].includes(n) ? n.slice(1) : 'unknown'
  }
  // Go slices arch[0:4] first and panics on shorter names; an error is the kinder equivalent.
  throw invalidArgument(`getCPUVariantFromArch invalid arch: ${arch}, invalid argument`)
}

/** How containerd names the variant reported by the kernel. */
export function cpuVariantName(reported: string): string {
  switch (goLower(reported)) {
    case '8':
    case 'aarch64':
      return 'v8'
    case '7':
    case '7m':
    case '?(12)':
    case '?(13)':
    case '?(14)':
    case '?(15)':
    case '?(16)':
    case '?(17)':
      return 'v7'
    case '6':
    case '6tej':
      return 'v6'
    case '5':
    case '5t':
    case '5te':
    case '5tej':
      return 'v5'
    case '4':
    case '4t':
      return 'v4'
    case '3':
      return 'v3'
    default:
      return 'unknown'
  }
}

/**
 * The variant containerd reports for an ARM Linux host, from the text of /proc/cpuinfo and uname's
 * machine. `goarch` is the architecture the program runs as (the Raspberry Pi ARMv6 quirk applies only
 * to 32-bit code); by default it follows the machine. Throws InvalidArgument when neither the cpuinfo
 * line nor the machine name tells.
 */
export function cpuVariantFromCpuinfo(text: string, machine: string, goarch?: string): string {
  let reported = cpuinfoField(text, 'Cpu architecture')
  if (reported === undefined) reported = cpuVariantFromArch(machine)
  const arch = goarch ?? (['aarch64', 'arm64'].includes(goLower(machine)) ? 'arm64' : 'arm')
  // Raspberry Pi ARMv6 boards report "7" because of a kernel quirk; their model name tells the truth.
  if (arch === 'arm' && reported === '7') {
    const model = cpuinfoField(text, 'model name')
    if (model !== undefined && goLower(model).startsWith('armv6-compatible')) reported = '6'
  }
  return cpuVariantName(reported)
}
