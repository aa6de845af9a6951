// containerd/platforms platform_windows_compat_test.go (as of v1.0.0-rc.5), defaults_test.go,
// defaults_windows_test.go and platforms_windows_test.go, with the host injected instead of read.
import { describe, expect, it } from 'vitest'
import type { Platform } from '../../../src-main/core/oci'
import {
  defaultMatcher,
  defaultSpec,
  defaultString,
  forHost,
  newMatcher,
  onlyOS,
  parseWindowsVersion,
  windowsHostCanRun,
  type MatchComparer,
} from '../../../src-main/core/platforms'
import { windowsMatchComparer } from '../../../src-main/core/platforms/windows'
import { goSort, linuxAmd64, pl } from './hosts'

const RS5 = 17763
const LTSC2022 = 20348
const WIN11_22H2 = 22621
const V23H2 = 25398
const LTSC2025 = 26100

const v = (build: number) => ({ major: 10, minor: 0, build })

describe('host/container build compatibility (Test_PlatformCompat)', () => {
  it.each([
    [RS5, RS5, true],
    [RS5, LTSC2022, false],
    [LTSC2022, RS5, false],
    [LTSC2022, LTSC2022, true],
    [WIN11_22H2, RS5, false],
    [WIN11_22H2, LTSC2022, true],
    [V23H2, RS5, false],
    [V23H2, LTSC2022, true],
    [LTSC2025, LTSC2022, true],
    [LTSC2022, LTSC2025, false],
    [LTSC2022, WIN11_22H2, false],
    [LTSC2025, WIN11_22H2, true],
    // rc.5: a host past the newest LTSC still runs the previous LTSC generation
    [26200, LTSC2022, true],
    [26200, LTSC2025, true],
    [26200, WIN11_22H2, true],
    [26200, RS5, false],
    // more corners of the same rule
    [RS5, RS5 + 1, false],
    [RS5 - 1, RS5 - 1, true],
    [LTSC2022, LTSC2022 - 1, false],
    [LTSC2022, LTSC2022 + 1, false],
    [WIN11_22H2, WIN11_22H2, true],
    [WIN11_22H2, WIN11_22H2 + 1, false],
    [LTSC2025, LTSC2025, true],
    [LTSC2025, LTSC2025 + 1, false],
    [LTSC2025, LTSC2022 - 1, false],
    [26200, 26200, true],
    [26200, 26201, false],
    [65535, LTSC2022, true],
    [65535, 65535, true],
  ])('host %i runs container %i: %s', (host, ctr, want) => {
    expect(windowsHostCanRun(v(host), v(ctr))).toBe(want)
  })

  it.each([
    [
      { major: 10, minor: 0, build: LTSC2022 },
      { major: 6, minor: 0, build: LTSC2022 },
    ],
    [
      { major: 10, minor: 0, build: LTSC2022 },
      { major: 10, minor: 1, build: LTSC2022 },
    ],
    [
      { major: 6, minor: 3, build: 9600 },
      { major: 6, minor: 2, build: 9600 },
    ],
  ])('major and minor must agree: %j vs %j', (host, ctr) => {
    expect(windowsHostCanRun(host, ctr)).toBe(false)
  })
})

describe('parseWindowsVersion', () => {
  it.each([
    ['10.0.17763', v(17763)],
    ['10.0.17763.1234', v(17763)],
    ['10.0.17763.x.y', v(17763)],
    ['10.0.017763', v(17763)],
    ['255.255.65535', { major: 255, minor: 255, build: 65535 }],
    ['0.0.0', { major: 0, minor: 0, build: 0 }],
    ['', { major: 0, minor: 0, build: 0 }],
    ['10', { major: 0, minor: 0, build: 0 }],
    ['10.0', { major: 0, minor: 0, build: 0 }],
    ['256.0.1', { major: 0, minor: 0, build: 0 }],
    ['10.256.1', { major: 0, minor: 0, build: 0 }],
    ['10.0.65536', { major: 0, minor: 0, build: 0 }],
    ['10.0.', { major: 0, minor: 0, build: 0 }],
    ['10..1', { major: 0, minor: 0, build: 0 }],
    ['+10.0.1', { major: 0, minor: 0, build: 0 }],
    ['10.0.-1', { major: 0, minor: 0, build: 0 }],
    ['10.0.1_0', { major: 0, minor: 0, build: 0 }],
    [' 10.0.1', { major: 0, minor: 0, build: 0 }],
    ['a.b.c', { major: 0, minor: 0, build: 0 }],
    ['99.99.99.99', { major: 99, minor: 99, build: 99 }],
  ])('%j → %j', (s, want) => {
    expect(parseWindowsVersion(s)).toEqual(want)
  })
})

const win = (osVersion = '', arch = 'amd64'): Platform => pl('windows', arch, '', osVersion)

describe('Windows matchers (TestMatchComparerMatch_ABICheckWCOW)', () => {
  it.each([
    [win('10.0.17763'), win('10.0.17763'), true],
    [win('10.0.17763'), win('10.0.20348'), false],
    [win('10.0.20348'), win('10.0.17763'), false],
    [win('10.0.20348'), win('10.0.20348'), true],
    [win('10.0.22621'), win('10.0.17763'), false],
    [win('10.0.22621'), win('10.0.20348'), true],
    [win(), win('10.0.17763'), true],
    [win(), win(), true],
    [win(), win('10.0.22621'), true],
    // TestFallbackOnOSVersion: an unparseable matcher version accepts everything
    [win('99.99.99.99'), win(), true],
    [win('99.99.99.99'), win('10.0.17763'), false],
    [win('garbage'), win('10.0.17763'), true],
    [win('0.0.0'), win('10.0.17763'), true],
    [win('10.0'), win('1.2.3'), true],
    // a candidate without a version always passes; an unparseable one fails against a real host
    [win('10.0.20348'), win(), true],
    [win('10.0.20348'), win('garbage'), false],
    [win('10.0.20348'), win('10.0'), false],
    [win('0.0.5'), win('garbage'), false],
    [win('0.0.5'), win('0.0.5'), true],
    // revisions are ignored, builds are not
    [win('10.0.17763.1'), win('10.0.17763.999'), true],
    [win('10.0.17763'), win('10.0.17764.1'), false],
    [win('10.0.26100.2894'), win('10.0.20348.3091'), true],
    [win('10.0.26100'), win('10.0.26100.3000'), true],
    [win('10.0.26200.0'), win('10.0.20348.3091'), true],
    [win('10.0.26200'), win('10.0.17763'), false],
    // the architecture still has to agree
    [win('10.0.20348'), win('10.0.20348', 'arm64'), false],
  ])('%j matches %j: %s', (m, c, want) => {
    expect(newMatcher(m, linuxAmd64).match(c)).toBe(want)
  })
})

describe('windowsMatchComparer less (TestWindowsMatchComparerLess)', () => {
  it('prefers matching candidates, newest osVersion string first', () => {
    const m = windowsMatchComparer(newMatcher(win('10.0.17763.1'), linuxAmd64))
    const input = [win('10.0.17764.1'), win(), win('10.0.17763.1'), win('10.0.17763.2'), win('10.0.17762.1')]
    const want = [win('10.0.17763.2'), win('10.0.17763.1'), win(), win('10.0.17764.1'), win('10.0.17762.1')]
    expect(goSort(input, (a, b) => m.less(a, b))).toEqual(want)
  })

  it('compares the strings, not the numbers', () => {
    const m = windowsMatchComparer(newMatcher(win('10.0.17763'), linuxAmd64))
    expect(m.less(win('10.0.17763.9'), win('10.0.17763.10'))).toBe(true)
    expect(m.less(win('10.0.17763.10'), win('10.0.17763.9'))).toBe(false)
  })

  it('is what newMatcher returns for Windows platforms on a Windows host', () => {
    const onWindows = newMatcher(win('10.0.17763.1'), win('10.0.17763')) as MatchComparer
    expect(typeof onWindows.less).toBe('function')
    expect(onWindows.less(win('10.0.17763.2'), win('10.0.17763.1'))).toBe(true)
    expect('less' in newMatcher(win('10.0.17763.1'), linuxAmd64)).toBe(false)
    expect('less' in newMatcher(pl('linux', 'amd64'), win('10.0.17763'))).toBe(false)
  })
})

describe('choosing among Windows images (Test_PlatformOrder)', () => {
  const linux = pl('linux', 'amd64')
  const ws2022 = win('10.0.20348.3091')
  const ws2025 = win('10.0.26100.2894')
  const ws2025r3000 = win('10.0.26100.3000')
  const ws2025patched = win('10.0.26200.0')
  it.each([
    ['Windows Server 2022 should select 2022', ws2022, [linux, ws2022, ws2025], ws2022],
    ['Windows Server 2025 should select 2025', ws2025, [linux, ws2022, ws2025], ws2025],
    ['Windows Server 2025 should select 2025 latest rev', ws2025, [linux, ws2022, ws2025r3000], ws2025r3000],
    ['a host past the latest LTSC still accepts 2022', ws2025patched, [linux, ws2022], ws2022],
    ['a host past the latest LTSC prefers 2025 over 2022', ws2025patched, [linux, ws2022, ws2025], ws2025],
  ])('%s', (_name, host, platforms, want) => {
    const comparer = windowsMatchComparer(newMatcher(host, host))
    const sorted = goSort(platforms, (a, b) => comparer.less(a, b))
    expect(sorted[0]).toEqual(want)
    // defaultMatcher on that host is the same comparer
    expect(goSort(platforms, (a, b) => defaultMatcher(host).less(a, b))[0]).toEqual(want)
  })
})

describe('defaults on Windows hosts (defaults_windows_test.go)', () => {
  for (const build of ['10.0.17763', '10.0.20348', '10.0.26100']) {
    describe(`host windows/amd64 ${build}`, () => {
      const host = win(build)
      const W = forHost(host)

      it('DefaultSpec, DefaultString', () => {
        expect(defaultSpec(host)).toEqual(host)
        expect(defaultString(host)).toBe(`windows(${build})/amd64`)
        expect(W.defaultString()).toBe(`windows(${build})/amd64`)
      })

      it('Default matches the host and not linux (TestDefaultMatchComparer)', () => {
        const d = W.defaultMatcher()
        expect(d.match(defaultSpec(host))).toBe(true)
        expect(d.match(pl('linux', 'amd64'))).toBe(false)
        expect(d.match(win('', 'arm64'))).toBe(false)
        expect(d.match(win('', '386'))).toBe(false)
      })

      it.each([
        [win(build), true],
        [win(build + '.1'), true],
        [win(build + '.2'), true],
        [win('10.0.17762.1'), false],
        [win('10.0.17764.1'), false],
        [win(), true],
        [pl('linux', 'amd64'), false],
        [pl('windows', 'amd64', '', '', ['win32k']), true],
      ])('a WCOW matcher of the host matches %j: %s (TestMatchComparerMatch_WCOW)', (c, want) => {
        expect(W.newMatcher(W.defaultSpec()).match(c)).toBe(want)
      })

      it.each([
        [win(build), false],
        [win(), false],
        [win(build + '.2'), false],
        [win('10.0.17762.1'), false],
        [pl('linux', 'amd64'), true],
      ])('a LCOW matcher matches %j: %s (TestMatchComparerMatch_LCOW)', (c, want) => {
        expect(W.newMatcher(pl('linux', 'amd64')).match(c)).toBe(want)
      })
    })
  }

  it.each([
    // [host build, candidate, WS2022-era host accepts?]
    ['10.0.20348', '10.0.17763', false],
    ['10.0.22621', '10.0.20348.2000', true],
    ['10.0.26100', '10.0.20348.2000', true],
    ['10.0.26100', '10.0.22621', true],
    ['10.0.26200', '10.0.20348', true],
    ['10.0.26200', '10.0.26100.1', true],
    ['10.0.26200', '10.0.26300', false],
  ])('Default on %s matches %s: %s', (hostBuild, ctr, want) => {
    expect(defaultMatcher(win(hostBuild)).match(win(ctr))).toBe(want)
  })

  it('Default on Windows prefers the greatest osVersion string among matches', () => {
    const d = defaultMatcher(win('10.0.20348'))
    const input = [
      win('10.0.20348.9'),
      win('10.0.20348.10'),
      win(),
      pl('linux', 'amd64'),
      win('10.0.20348.100'),
    ]
    expect(goSort(input, (a, b) => d.less(a, b))).toEqual([
      win('10.0.20348.9'),
      win('10.0.20348.100'),
      win('10.0.20348.10'),
      win(),
      pl('linux', 'amd64'),
    ])
  })
})

describe('only and onlyOS with Windows versions', () => {
  const W = forHost(win('10.0.20348'))
  it.each([
    ['windows(10.0.20348)/amd64', 'windows(10.0.20348.1)/amd64', true],
    ['windows(10.0.20348)/amd64', 'windows(10.0.20348.1)/386', true],
    ['windows(10.0.20348)/amd64', 'windows(10.0.17763)/386', false],
    ['windows(10.0.26100)/amd64', 'windows(10.0.20348)/386', true],
    ['windows(10.0.17763)/amd64', 'windows(10.0.17763.5)/amd64', true],
    ['windows(10.0.17763)/amd64', 'windows(10.0.20348)/amd64', false],
  ])('only(%s) matches %s: %s', (spec, candidate, want) => {
    expect(W.only(W.parse(spec)).match(W.parse(candidate))).toBe(want)
  })

  it.each([
    ['windows(10.0.20348)/amd64', 'windows(10.0.20348.1)/arm64', true],
    ['windows(10.0.20348)/amd64', 'windows(10.0.17763)/arm64', false],
    ['windows(10.0.26200)/amd64', 'windows(10.0.20348)/arm64', true],
  ])('onlyOS(%s) matches %s: %s', (spec, candidate, want) => {
    expect(onlyOS(W.parse(spec), linuxAmd64).match(W.parse(candidate))).toBe(want)
  })
})
