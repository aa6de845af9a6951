// containerd/platforms defaults*.go and their tests: the host, DefaultSpec, DefaultString and Default()
// per host OS, with the host injected.
import { describe, expect, it } from 'vitest'
import {
  defaultMatcher,
  defaultSpec,
  defaultString,
  defaultStrict,
  forHost,
  formatAll,
  goarch,
  goos,
  hostPlatform,
  normalize,
  parse,
} from '../../../src-main/core/platforms'
import { darwinArm64, freebsdAmd64, goSort, linuxAmd64, linuxArm64, pl } from './hosts'

describe('Node → Go names', () => {
  it.each([
    ['linux', 'linux'],
    ['win32', 'windows'],
    ['darwin', 'darwin'],
    ['freebsd', 'freebsd'],
    ['openbsd', 'openbsd'],
    ['sunos', 'solaris'],
    ['aix', 'aix'],
    ['android', 'android'],
  ])('process.platform %s → GOOS %s', (node, go) => {
    expect(goos(node)).toBe(go)
  })

  it.each([
    ['x64', 'LE', 'amd64'],
    ['ia32', 'LE', '386'],
    ['arm', 'LE', 'arm'],
    ['arm64', 'LE', 'arm64'],
    ['ppc64', 'LE', 'ppc64le'],
    ['ppc64', 'BE', 'ppc64'],
    ['ppc', 'BE', 'ppc'],
    ['s390x', 'BE', 's390x'],
    ['riscv64', 'LE', 'riscv64'],
    ['loong64', 'LE', 'loong64'],
    ['mips', 'BE', 'mips'],
    ['mipsel', 'LE', 'mipsle'],
  ])('process.arch %s (%s) → GOARCH %s', (node, endian, go) => {
    expect(goarch(node, endian)).toBe(go)
  })
})

describe('this machine', () => {
  it('is normalized and named as Go would', () => {
    const h = hostPlatform()
    expect(h.os).toBe(goos(process.platform))
    expect(h.architecture).toBe(normalize(h, h).architecture)
    expect(normalize(h, h)).toEqual(h)
    if (h.architecture === 'arm') expect(h.variant).toMatch(/^(v\d|unknown)$/)
    if (h.os !== 'windows') expect(h.osVersion).toBeUndefined()
  })

  it('is what defaultSpec reports, before normalization (TestDefault, TestNormalize)', () => {
    const spec = defaultSpec()
    expect(normalize(spec)).toEqual(hostPlatform())
    expect(defaultString()).toBe(formatAll(spec))
    if (spec.architecture === 'arm64' && spec.os === 'linux') expect(spec.variant).toBe('v8')
  })

  it('is the default host everywhere', () => {
    const h = hostPlatform()
    expect(defaultMatcher().match(h)).toBe(true)
    expect(parse(h.os)).toEqual(forHost(h).parse(h.os))
    expect(parse('s390x').os).toBe(h.os)
    expect(normalize({ os: '', architecture: 'amd64' }).os).toBe(h.os)
  })

  it('returns copies', () => {
    const h = hostPlatform()
    h.os = 'mutated'
    expect(hostPlatform().os).not.toBe('mutated')
  })
})

describe('defaults on unix hosts', () => {
  it.each([
    [linuxAmd64, 'linux/amd64'],
    [linuxArm64, 'linux/arm64'],
    [pl('linux', 'arm64', 'v8'), 'linux/arm64/v8'],
    [pl('linux', 'arm', 'v6'), 'linux/arm/v6'],
    [darwinArm64, 'darwin/arm64'],
    [pl('linux', 'amd64', '', '6.1'), 'linux(6.1)/amd64'],
  ])('defaultString on %j is %s', (host, want) => {
    expect(defaultString(host)).toBe(want)
    expect(defaultSpec(host)).toEqual(host)
  })

  it.each([
    // [host, candidate, match]
    [linuxAmd64, 'linux/amd64', true],
    [linuxAmd64, 'linux/386', true],
    [linuxAmd64, 'linux/amd64/v2', false],
    [linuxAmd64, 'windows/amd64', false],
    [linuxAmd64, 'darwin/amd64', false],
    [linuxArm64, 'linux/arm64', true],
    [linuxArm64, 'linux/arm64/v8', true],
    [linuxArm64, 'linux/arm/v7', true],
    [linuxArm64, 'linux/arm/v5', true],
    [linuxArm64, 'linux/arm64/v8.1', false],
    [linuxArm64, 'linux/amd64', false],
    [pl('linux', 'arm', 'v6'), 'linux/arm/v5', true],
    [pl('linux', 'arm', 'v6'), 'linux/arm', false],
    // darwin also runs linux binaries of its own architecture
    [darwinArm64, 'darwin/arm64', true],
    [darwinArm64, 'linux/arm64', true],
    [darwinArm64, 'linux/arm/v7', false],
    [darwinArm64, 'linux/amd64', false],
    // freebsd too, keeping its variant
    [freebsdAmd64, 'freebsd/amd64', true],
    [freebsdAmd64, 'linux/amd64', true],
    [freebsdAmd64, 'linux/386', false],
    [freebsdAmd64, 'freebsd/386', false],
    [pl('freebsd', 'arm64', 'v8'), 'linux/arm64', true],
    [pl('freebsd', 'arm', 'v6'), 'linux/arm/v6', true],
    [pl('freebsd', 'arm', 'v6'), 'linux/arm', false],
    [pl('openbsd', 'amd64'), 'openbsd/386', true],
    [pl('openbsd', 'amd64'), 'linux/amd64', false],
  ])('defaultMatcher(%j) matches %s: %s', (host, candidate, want) => {
    expect(defaultMatcher(host).match(forHost(host).parse(candidate))).toBe(want)
  })

  it.each([
    [linuxAmd64, ['linux/386', 'darwin/amd64', 'linux/amd64'], ['linux/amd64', 'linux/386', 'darwin/amd64']],
    [
      darwinArm64,
      ['linux/arm64', 'linux/amd64', 'darwin/arm64'],
      ['darwin/arm64', 'linux/arm64', 'linux/amd64'],
    ],
    [
      linuxArm64,
      ['linux/arm/v6', 'linux/amd64', 'linux/arm/v7', 'linux/arm64'],
      ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/amd64'],
    ],
  ])('defaultMatcher(%j) ranks %j', (host, input, want) => {
    const P = forHost(host)
    const mc = P.defaultMatcher()
    expect(goSort(input.map(P.parse), (a, b) => mc.less(a, b)).map(formatAll)).toEqual(want)
  })

  it('defaultStrict matches the host only', () => {
    expect(defaultStrict(linuxAmd64).match(pl('linux', 'amd64'))).toBe(true)
    expect(defaultStrict(linuxAmd64).match(pl('linux', '386'))).toBe(false)
    expect(defaultStrict(linuxArm64).match(pl('linux', 'arm', 'v7'))).toBe(false)
    expect(defaultStrict(pl('linux', 'arm64', 'v8')).match(pl('linux', 'arm64'))).toBe(true)
  })
})
