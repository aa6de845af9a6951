// containerd/platforms cpuinfo_linux_test.go (TestGetCPUVariantFromArch) and the /proc/cpuinfo mapping,
// fed with the text of real boards' cpuinfo instead of this machine's.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../../src-main/core/errors'
import { cpuinfoField, cpuVariantFromArch, cpuVariantFromCpuinfo } from '../../../src-main/core/platforms'

describe('cpuVariantFromArch (TestGetCPUVariantFromArch)', () => {
  it.each([
    ['aarch64', '8'],
    ['AArch64', '8'],
    ['Armv8', '8'],
    ['armv8l', '8'],
    ['armv7', '7'],
    ['armv7l', '7'],
    ['armv6', '6'],
    ['armv6l', '6'],
    ['armv5', '5'],
    ['armv5tel', '5'],
    ['armv4', '4'],
    ['armv3', '3'],
    ['armv9', 'unknown'],
    ['armv2', 'unknown'],
    ['armvx', 'unknown'],
  ])('%s → %s', (machine, want) => {
    expect(cpuVariantFromArch(machine)).toBe(want)
  })

  it.each(['armxxxx', 'armv', 'arm', 'x86_64', '', 'arm64'])('%j is an invalid argument', (machine) => {
    let err: unknown
    try {
      cpuVariantFromArch(machine)
    } catch (e) {
      err = e
    }
    expect(isKind(err, 'invalid-argument')).toBe(true)
    expect((err as Error).message).toBe(
      `getCPUVariantFromArch invalid arch: ${machine.toLowerCase()}, invalid argument`,
    )
  })
})

const cpuinfo = (fields: Record<string, string>): string =>
  'processor\t: 0\n' +
  Object.entries(fields)
    .map(([k, v]) => `${k}\t: ${v}`)
    .join('\n') +
  '\n\nprocessor\t: 1\nCPU architecture: 5\n'

const RPI1 = `processor	: 0
model name	: ARMv6-compatible processor rev 7 (v6l)
BogoMIPS	: 697.95
Features	: half thumb fastmult vfp edsp java tls
CPU implementer	: 0x41
CPU architecture: 7
CPU variant	: 0x0
CPU part	: 0xb76
CPU revision	: 7

Hardware	: BCM2835
`

const RPI4_64 = `processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd08
CPU revision	: 3
`

describe('cpuVariantFromCpuinfo', () => {
  it.each([
    ['8', 'v8'],
    ['AArch64', 'v8'],
    ['7', 'v7'],
    ['7M', 'v7'],
    ['7m', 'v7'],
    ['?(12)', 'v7'],
    ['?(13)', 'v7'],
    ['?(14)', 'v7'],
    ['?(15)', 'v7'],
    ['?(16)', 'v7'],
    ['?(17)', 'v7'],
    ['?(18)', 'unknown'],
    ['6', 'v6'],
    ['6TEJ', 'v6'],
    ['5', 'v5'],
    ['5T', 'v5'],
    ['5TE', 'v5'],
    ['5TEJ', 'v5'],
    ['4', 'v4'],
    ['4T', 'v4'],
    ['3', 'v3'],
    ['2', 'unknown'],
    ['9', 'unknown'],
    ['', 'unknown'],
  ])('"CPU architecture: %s" → %s', (reported, want) => {
    expect(cpuVariantFromCpuinfo(cpuinfo({ 'CPU architecture': reported }), 'armv7l', 'arm')).toBe(want)
  })

  it('reads the first matching line only, case-insensitively, up to a second colon', () => {
    expect(cpuinfoField('Cpu Architecture : 8\ncpu architecture: 7\n', 'Cpu architecture')).toBe('8')
    expect(cpuinfoField('  cpu architecture \t:\t 7 \r\n', 'Cpu architecture')).toBe('7')
    expect(cpuinfoField('model name : a:b\n', 'model name')).toBe('a')
    expect(cpuinfoField('model name\n', 'model name')).toBeUndefined()
    expect(cpuinfoField('', 'model name')).toBeUndefined()
  })

  it('treats a 32-bit Raspberry Pi 1 (ARMv6 reporting 7) as v6', () => {
    expect(cpuVariantFromCpuinfo(RPI1, 'armv6l', 'arm')).toBe('v6')
    expect(cpuVariantFromCpuinfo(RPI1, 'armv6l')).toBe('v6')
    // the quirk applies to 32-bit programs only
    expect(cpuVariantFromCpuinfo(RPI1, 'aarch64', 'arm64')).toBe('v7')
    // and only to an exact "7"
    expect(cpuVariantFromCpuinfo(RPI1.replace('architecture: 7', 'architecture: 7M'), 'armv6l', 'arm')).toBe(
      'v7',
    )
    expect(cpuVariantFromCpuinfo(RPI1.replace('ARMv6-compatible', 'ARMv7 Processor'), 'armv7l', 'arm')).toBe(
      'v7',
    )
  })

  it('reads a 64-bit board', () => {
    expect(cpuVariantFromCpuinfo(RPI4_64, 'aarch64')).toBe('v8')
    expect(cpuVariantFromCpuinfo(RPI4_64, 'armv8l', 'arm')).toBe('v8')
  })

  it.each([
    ['aarch64', 'v8'],
    ['armv8l', 'v8'],
    ['armv7l', 'v7'],
    ['armv6l', 'v6'],
    ['armv5tejl', 'v5'],
    ['armv9', 'unknown'],
  ])('falls back to the machine name %s → %s when the line is missing (emulated ARM)', (machine, want) => {
    expect(cpuVariantFromCpuinfo('processor\t: 0\nmodel name\t: QEMU\n', machine)).toBe(want)
  })

  it('fails when neither the line nor the machine tells', () => {
    expect(() => cpuVariantFromCpuinfo('processor : 0\n', 'x86_64')).toThrow(/invalid arch: x86_64/)
  })
})
