// containerd/platforms database.go (normalizeOS, normalizeArch, known names) and Normalize.
import { describe, expect, it } from 'vitest'
import {
  isKnownArch,
  isKnownOS,
  normalize,
  normalizeArch,
  normalizeOS,
} from '../../../src-main/core/platforms'
import { darwinArm64, linuxAmd64, pl, windows2022 } from './hosts'

describe('normalizeArch', () => {
  it.each([
    // [arch, variant] → [arch, variant]
    ['i386', '', '386', ''],
    ['i386', 'v1', '386', ''],
    ['I386', 'anything', '386', ''],
    ['386', 'v1', '386', 'v1'],
    ['x86_64', '', 'amd64', ''],
    ['x86-64', '', 'amd64', ''],
    ['X86_64', 'V1', 'amd64', ''],
    ['amd64', 'v1', 'amd64', ''],
    ['amd64', 'v2', 'amd64', 'v2'],
    ['amd64', 'v3', 'amd64', 'v3'],
    ['amd64', 'V4', 'amd64', 'v4'],
    ['amd64', '1', 'amd64', '1'],
    ['amd64', 'v5', 'amd64', 'v5'],
    ['aarch64', '', 'arm64', ''],
    ['AArch64', '', 'arm64', ''],
    ['arm64', '8', 'arm64', ''],
    ['arm64', 'v8', 'arm64', ''],
    ['arm64', 'V8', 'arm64', ''],
    ['arm64', 'v8.0', 'arm64', ''],
    ['arm64', '8.0', 'arm64', '8.0'],
    ['arm64', 'v8.1', 'arm64', 'v8.1'],
    ['arm64', '8.1', 'arm64', '8.1'],
    ['arm64', '9', 'arm64', 'v9'],
    ['arm64', '9.0', 'arm64', 'v9'],
    ['arm64', 'v9.0', 'arm64', 'v9'],
    ['arm64', 'v9', 'arm64', 'v9'],
    ['arm64', 'v9.1', 'arm64', 'v9.1'],
    ['arm64', 'v10', 'arm64', 'v10'],
    ['aarch64', 'v8', 'arm64', ''],
    ['armhf', '', 'arm', 'v7'],
    ['armhf', 'v6', 'arm', 'v7'],
    ['armel', '', 'arm', 'v6'],
    ['armel', 'v7', 'arm', 'v6'],
    ['arm', '', 'arm', 'v7'],
    ['arm', '7', 'arm', 'v7'],
    ['arm', 'v7', 'arm', 'v7'],
    ['arm', '5', 'arm', 'v5'],
    ['arm', '6', 'arm', 'v6'],
    ['arm', '8', 'arm', 'v8'],
    ['arm', '4', 'arm', '4'],
    ['arm', 'v4', 'arm', 'v4'],
    ['arm', 'vfp', 'arm', 'vfp'],
    ['ARM', 'V6', 'arm', 'v6'],
    ['ppc64le', '', 'ppc64le', ''],
    ['PPC64LE', 'Power9', 'ppc64le', 'power9'],
    ['s390x', '', 's390x', ''],
    ['riscv64', 'rva23u64', 'riscv64', 'rva23u64'],
    ['armv7l', '', 'armv7l', ''],
    ['', '', '', ''],
    ['', 'v7', '', 'v7'],
  ])('%s/%s → %s/%s', (arch, variant, wantArch, wantVariant) => {
    expect(normalizeArch(arch, variant)).toEqual([wantArch, wantVariant])
  })
})

describe('normalizeOS', () => {
  it.each([
    ['linux', 'linux'],
    ['Linux', 'linux'],
    ['LINUX', 'linux'],
    ['macos', 'darwin'],
    ['macOS', 'darwin'],
    ['MACOS', 'darwin'],
    ['darwin', 'darwin'],
    ['Windows', 'windows'],
    ['FreeBSD', 'freebsd'],
    ['foo', 'foo'],
    // Go lowers each rune on its own: no final sigma, and İ becomes a plain i.
    ['ΟΣ', 'οσ'],
    ['\u0130os', 'ios'],
  ])('%s → %s', (os, want) => {
    expect(normalizeOS(os, linuxAmd64)).toBe(want)
  })

  it('gives the host OS for an empty OS, unchanged', () => {
    expect(normalizeOS('', linuxAmd64)).toBe('linux')
    expect(normalizeOS('', windows2022)).toBe('windows')
    expect(normalizeOS('', darwinArm64)).toBe('darwin')
    expect(normalizeOS('', pl('Plan9', '386'))).toBe('Plan9')
  })
})

describe('known names', () => {
  const oses =
    'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris windows zos'
  const arches =
    '386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm'
  it.each(oses.split(' '))('knows the OS %s', (os) => {
    expect(isKnownOS(os)).toBe(true)
    expect(isKnownArch(os)).toBe(false)
  })
  it.each(arches.split(' '))('knows the architecture %s', (arch) => {
    expect(isKnownArch(arch)).toBe(true)
    expect(isKnownOS(arch)).toBe(false)
  })
  it.each(['', 'Linux', 'macos', 'wasip1', 'x86_64', 'aarch64', 'AMD64', 'armhf'])(
    'does not know %j',
    (n) => {
      expect(isKnownOS(n) || isKnownArch(n)).toBe(false)
    },
  )
})

describe('normalize', () => {
  it.each([
    [pl('Linux', 'x86_64'), pl('linux', 'amd64')],
    [pl('macOS', 'AArch64', 'V8'), pl('darwin', 'arm64')],
    [pl('linux', 'arm'), pl('linux', 'arm', 'v7')],
    [pl('linux', 'arm64', 'v8'), pl('linux', 'arm64')],
    [pl('linux', 'armel', 'v7'), pl('linux', 'arm', 'v6')],
    [pl('', 'amd64'), pl('linux', 'amd64')],
    [pl('', ''), pl('linux', '')],
    [pl('windows', 'amd64', '', '10.0.17763.1234'), pl('windows', 'amd64', '', '10.0.17763.1234')],
    // osVersion is untouched, even its case
    [pl('Windows', 'AMD64', '', 'Build.ABC'), pl('windows', 'amd64', '', 'Build.ABC')],
    // features: sorted, de-duplicated, empty strings and case kept
    [pl('linux', 'amd64', '', '', ['b', 'a', 'b', '']), pl('linux', 'amd64', '', '', ['', 'a', 'b'])],
    [pl('linux', 'amd64', '', '', ['B', 'a', 'A']), pl('linux', 'amd64', '', '', ['A', 'B', 'a'])],
    [pl('linux', 'amd64', '', '', ['', '']), pl('linux', 'amd64', '', '', [''])],
    // byte order, as Go sorts: an astral character sorts after U+FFFD
    [
      pl('linux', 'amd64', '', '', ['\u{1F600}', '\ufffd', 'z']),
      pl('linux', 'amd64', '', '', ['z', '\ufffd', '\u{1F600}']),
    ],
  ])('%j → %j', (p, want) => {
    expect(normalize(p, linuxAmd64)).toEqual(want)
  })

  it('leaves its argument alone', () => {
    const p = pl('Linux', 'amd64', '', '', ['b', 'a'])
    const n = normalize(p, linuxAmd64)
    expect(p).toEqual(pl('Linux', 'amd64', '', '', ['b', 'a']))
    n.osFeatures?.push('c')
    expect(p.osFeatures).toEqual(['b', 'a'])
  })

  it('is the identity on the canonical forms of the injected hosts', () => {
    for (const h of [linuxAmd64, windows2022, darwinArm64, pl('linux', 'arm', 'v7')])
      expect(normalize(h, h)).toEqual(h)
  })

  it('uses the injected host for an empty OS', () => {
    expect(normalize(pl('', 'arm64'), windows2022)).toEqual(pl('windows', 'arm64'))
    expect(normalize(pl('', 'arm64'), darwinArm64)).toEqual(pl('darwin', 'arm64'))
  })
})
