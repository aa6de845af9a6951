// containerd/platforms compare_test.go, the orderings (TestOnlyOSLess, TestCompareOSFeatures), the
// preference vectors behind Only, Ordered/Any/All and NewMatcher.
import { describe, expect, it } from 'vitest'
import type { Platform } from '../../../src-main/core/oci'
import {
  all,
  any,
  forHost,
  format,
  formatAll,
  normalize,
  only,
  onlyOS,
  onlyStrict,
  ordered,
  platformVector,
  type MatchComparer,
} from '../../../src-main/core/platforms'
import { goSort, linuxAmd64, pl } from './hosts'

const P = forHost(linuxAmd64)
const parse = P.parse

const orderOf = (mc: MatchComparer, specs: string[]): string[] =>
  goSort(
    specs.map((s) => parse(s)),
    (a, b) => mc.less(a, b),
  ).map(formatAll)

describe('onlyOS less (TestOnlyOSLess)', () => {
  it.each([
    [
      'linux/amd64',
      ['linux/arm64', 'linux/386', 'linux/amd64', 'windows/amd64'],
      ['linux/amd64', 'linux/arm64', 'linux/386', 'windows/amd64'],
    ],
    [
      'linux/arm64',
      ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm64'],
      ['linux/arm64', 'linux/amd64', 'linux/arm/v7', 'windows/arm64'],
    ],
    [
      'linux/amd64',
      ['windows/amd64', 'darwin/amd64', 'linux/arm64', 'linux/amd64'],
      ['linux/amd64', 'linux/arm64', 'windows/amd64', 'darwin/amd64'],
    ],
  ])('%s sorts %j', (spec, input, want) => {
    expect(orderOf(onlyOS(parse(spec), linuxAmd64), input)).toEqual(want)
  })
})

describe('OS-feature ordering (TestCompareOSFeatures)', () => {
  const table: Array<[string, string[], string[]]> = [
    [
      'linux/amd64',
      ['windows/amd64', 'linux/amd64', 'linux(+other)/amd64', 'linux/arm64'],
      ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64'],
    ],
    [
      'linux(+none)/amd64',
      ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'],
      ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64'],
    ],
    [
      'linux(+other)/amd64',
      ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'],
      ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64'],
    ],
    [
      'linux(+af+other+zf)/amd64',
      ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'],
      ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64'],
    ],
    [
      'linux(+f1+f2)/amd64',
      ['linux/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux(+f1+f2)/amd64'],
      ['linux(+f1+f2)/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux/amd64'],
    ],
    [
      'linux(7.2+other)/amd64',
      ['linux/amd64', 'linux(+other)/amd64', 'linux(7.1)/amd64', 'linux(7.2+other)/amd64'],
      ['linux(+other)/amd64', 'linux(7.2+other)/amd64', 'linux/amd64', 'linux(7.1)/amd64'],
    ],
  ]
  const comparers: Array<[string, (p: Platform) => MatchComparer]> = [
    ['only', (p) => only(p, linuxAmd64)],
    ['onlyStrict', (p) => onlyStrict(p, linuxAmd64)],
    ['ordered', (p) => P.ordered(p)],
    ['any', (p) => P.any(p)],
  ]
  const cases = table.flatMap(([spec, input, want]) =>
    comparers.map(([name, make]) => [name, spec, input, want, make] as const),
  )
  it.each(cases)('%s(%s)', (_name, spec, input, want, make) => {
    expect(orderOf(make(parse(spec)), input)).toEqual(want)
  })
})

describe('preference vectors', () => {
  const vector = (spec: string): string[] => platformVector(normalize(parse(spec), linuxAmd64)).map(format)
  it.each([
    ['linux/amd64', ['linux/amd64', 'linux/386']],
    ['linux/amd64/v1', ['linux/amd64', 'linux/386']],
    ['linux/amd64/v2', ['linux/amd64/v2', 'linux/amd64/v1', 'linux/386']],
    ['linux/amd64/v3', ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64/v1', 'linux/386']],
    ['linux/amd64/v4', ['linux/amd64/v4', 'linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64/v1', 'linux/386']],
    ['linux/amd64/4', ['linux/amd64/4', 'linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64/v1', 'linux/386']],
    ['linux/amd64/v0', ['linux/amd64/v0', 'linux/386']],
    ['linux/amd64/vv3', ['linux/amd64/vv3', 'linux/386']],
    ['linux/386', ['linux/386']],
    ['linux/arm', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v8', ['linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v6', ['linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v5', ['linux/arm/v5']],
    ['linux/arm/v4', ['linux/arm/v4']],
    ['linux/arm/v9', ['linux/arm/v9', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/vfp', ['linux/arm/vfp']],
    ['linux/arm64', ['linux/arm64/v8', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    [
      'linux/arm64/v8.2',
      [
        'linux/arm64/v8.2',
        'linux/arm64/v8.1',
        'linux/arm64/v8',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ],
    ],
    [
      'linux/arm64/v9',
      [
        'linux/arm64/v9',
        ...[5, 4, 3, 2, 1].map((n) => `linux/arm64/v8.${n}`),
        'linux/arm64/v8',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ],
    ],
    [
      'linux/arm64/v9.7',
      [
        ...[7, 6, 5, 4, 3, 2, 1].map((n) => `linux/arm64/v9.${n}`),
        'linux/arm64/v9',
        ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((n) => `linux/arm64/v8.${n}`),
        'linux/arm64/v8',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ],
    ],
    ['linux/arm64/v9.8', []],
    ['linux/arm64/v10', []],
    ['linux/riscv64', ['linux/riscv64']],
    ['windows/amd64', ['windows/amd64', 'windows/386']],
  ])('%s', (spec, want) => {
    expect(vector(spec)).toEqual(want)
  })

  // arm64 table: vX.Y runs every arm64 variant down to v8, with v9.x also covering v8.(x+5 capped at 9)
  const arm64Table: Array<[string, string[]]> = []
  for (let minor = 0; minor <= 9; minor++) {
    const own = Array.from({ length: minor + 1 }, (_, i) => minor - i).map((m) =>
      m === 0 ? 'v8' : `v8.${m}`,
    )
    arm64Table.push([minor === 0 ? 'v8' : `v8.${minor}`, own])
  }
  for (let minor = 0; minor <= 7; minor++) {
    const v9 = Array.from({ length: minor + 1 }, (_, i) => minor - i).map((m) => (m === 0 ? 'v9' : `v9.${m}`))
    const top8 = Math.min(minor + 5, 9)
    const v8 = Array.from({ length: top8 + 1 }, (_, i) => top8 - i).map((m) => (m === 0 ? 'v8' : `v8.${m}`))
    arm64Table.push([minor === 0 ? 'v9' : `v9.${minor}`, [...v9, ...v8]])
  }
  it.each(arm64Table)('arm64/%s', (variant, want) => {
    const v = platformVector(normalize(pl('linux', 'arm64', variant), linuxAmd64))
    expect(v.map((p) => p.variant)).toEqual([...want, 'v8', 'v7', 'v6', 'v5'])
    expect(v.map((p) => p.architecture)).toEqual([...want.map(() => 'arm64'), 'arm', 'arm', 'arm', 'arm'])
  })

  it('copies the OS, version and features into every entry', () => {
    const v = platformVector(pl('windows', 'amd64', 'v2', '10.0.1', ['x']))
    expect(v).toEqual([
      pl('windows', 'amd64', 'v2', '10.0.1', ['x']),
      pl('windows', 'amd64', 'v1', '10.0.1', ['x']),
      pl('windows', '386', '', '10.0.1', ['x']),
    ])
  })
})

describe('only ranks by the vector', () => {
  it.each([
    [
      'linux/amd64/v3',
      ['linux/386', 'linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/arm64'],
      ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386', 'linux/arm64'],
    ],
    [
      'linux/arm64',
      ['linux/arm/v5', 'linux/arm/v7', 'linux/arm64', 'linux/arm/v6', 'linux/amd64'],
      ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5', 'linux/amd64'],
    ],
    [
      'linux/arm/v7',
      ['linux/arm/v5', 'linux/arm/v6', 'linux/arm', 'linux/arm/v8'],
      ['linux/arm', 'linux/arm/v6', 'linux/arm/v5', 'linux/arm/v8'],
    ],
    // non-matching platforms keep their order at the end
    [
      'linux/386',
      ['windows/386', 'linux/amd64', 'linux/386', 'darwin/386'],
      ['linux/386', 'windows/386', 'linux/amd64', 'darwin/386'],
    ],
  ])('%s sorts %j', (spec, input, want) => {
    expect(orderOf(only(parse(spec), linuxAmd64), input)).toEqual(want)
  })
})

describe('ordered, any and all', () => {
  const a = pl('linux', 'arm64')
  const b = pl('linux', 'amd64')
  it('ordered prefers the earlier entry, any prefers neither', () => {
    const input = ['linux/386', 'linux/amd64', 'linux/arm64', 'windows/amd64']
    expect(orderOf(P.ordered(a, b), input)).toEqual([
      'linux/arm64',
      'linux/amd64',
      'linux/386',
      'windows/amd64',
    ])
    expect(orderOf(P.ordered(b, a), input)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/386',
      'windows/amd64',
    ])
    expect(orderOf(P.any(a, b), input)).toEqual(['linux/amd64', 'linux/arm64', 'linux/386', 'windows/amd64'])
    expect(orderOf(P.any(b, a), input)).toEqual(['linux/amd64', 'linux/arm64', 'linux/386', 'windows/amd64'])
    expect(orderOf(all, input)).toEqual(input)
  })

  it.each([
    ['ordered', P.ordered(a, b)],
    ['any', P.any(a, b)],
    ['ordered (default host)', ordered(a, b)],
    ['any (default host)', any(a, b)],
  ])('%s matches either entry and nothing else', (_name, mc) => {
    expect(mc.match(a)).toBe(true)
    expect(mc.match(b)).toBe(true)
    expect(mc.match(pl('linux', 'aarch64', 'v8'))).toBe(true)
    expect(mc.match(pl('linux', '386'))).toBe(false)
    expect(mc.match(pl('linux', 'arm', 'v7'))).toBe(false)
  })

  it('with no entries matches nothing and ranks nothing', () => {
    for (const mc of [P.ordered(), P.any()]) {
      expect(mc.match(a)).toBe(false)
      expect(mc.less(a, b)).toBe(false)
      expect(mc.less(pl('linux', 'amd64', '', '', ['x']), b)).toBe(false)
    }
  })

  it('all matches everything, empty platforms included, and ranks nothing', () => {
    for (const p of [a, b, pl('', ''), pl('plan9', 'mips', 'v9', 'x', ['y'])]) {
      expect(all.match(p)).toBe(true)
      expect(all.less(p, a)).toBe(false)
      expect(all.less(a, p)).toBe(false)
    }
  })

  it('less with features: more features first among matches, then match before non-match', () => {
    const mc = P.ordered(pl('linux', 'amd64', '', '', ['a', 'b']))
    const none = pl('linux', 'amd64')
    const one = pl('linux', 'amd64', '', '', ['a'])
    const two = pl('linux', 'amd64', '', '', ['b', 'a'])
    const alien = pl('linux', 'amd64', '', '', ['c'])
    expect(mc.less(two, one)).toBe(true)
    expect(mc.less(one, two)).toBe(false)
    expect(mc.less(one, none)).toBe(true)
    expect(mc.less(none, alien)).toBe(true)
    expect(mc.less(alien, none)).toBe(false)
    // neither matches: features are stripped and the comparison retried
    const mc2 = P.ordered(pl('linux', 'amd64'), pl('linux', 'arm64'))
    expect(mc2.less(pl('linux', 'amd64', '', '', ['x']), pl('linux', 'arm64', '', '', ['y']))).toBe(true)
    expect(mc2.less(pl('linux', 'arm64', '', '', ['x']), pl('linux', 'amd64', '', '', ['y']))).toBe(false)
    const any2 = P.any(pl('linux', 'amd64'), pl('linux', 'arm64'))
    expect(any2.less(pl('linux', 'amd64', '', '', ['x']), pl('linux', 'arm64', '', '', ['y']))).toBe(false)
    expect(any2.less(pl('linux', 'amd64', '', '', ['x']), pl('linux', 's390x', '', '', ['y']))).toBe(true)
  })

  it('any compares feature counts once both have matched, even through different entries', () => {
    const mc = P.any(pl('linux', 'amd64'), pl('linux', 'arm64', '', '', ['f', 'g']))
    const x = pl('linux', 'amd64')
    const y = pl('linux', 'arm64', '', '', ['f'])
    expect(mc.less(y, x)).toBe(true)
    expect(mc.less(x, y)).toBe(false)
  })
})

describe('newMatcher', () => {
  it.each([
    // [matcher, candidate, match]
    [pl('linux', 'amd64'), pl('linux', 'amd64'), true],
    [pl('linux', 'amd64'), pl('', 'amd64'), true],
    [pl('linux', 'amd64'), pl('LINUX', 'X86_64', 'V1'), true],
    [pl('linux', 'amd64'), pl('linux', '386'), false],
    [pl('linux', 'amd64'), pl('linux', 'amd64', 'v2'), false],
    [pl('linux', 'arm64'), pl('linux', 'arm', 'v8'), false],
    [pl('linux', 'arm'), pl('linux', 'armhf'), true],
    [pl('linux', 'arm', 'v6'), pl('linux', 'armel'), true],
    [pl('linux', 'amd64', '', '1.0'), pl('linux', 'amd64', '', '2.0'), true],
    [pl('linux', 'amd64'), pl('linux', 'amd64', '', '', ['a']), false],
    [pl('linux', 'amd64', '', '', ['a']), pl('linux', 'amd64'), true],
    [pl('linux', 'amd64', '', '', ['a', 'b']), pl('linux', 'amd64', '', '', ['b']), true],
    [pl('linux', 'amd64', '', '', ['a', 'b']), pl('linux', 'amd64', '', '', ['b', 'a', 'a']), true],
    [pl('linux', 'amd64', '', '', ['a', 'b']), pl('linux', 'amd64', '', '', ['a', 'c']), false],
    [pl('linux', 'amd64', '', '', ['b']), pl('linux', 'amd64', '', '', ['a']), false],
    [pl('linux', 'amd64', '', '', ['a', 'b']), pl('linux', 'amd64', '', '', ['A']), false],
    [pl('linux', 'amd64', '', '', ['']), pl('linux', 'amd64', '', '', ['']), true],
    [pl('linux', 'amd64'), pl('linux', 'amd64', '', '', ['']), false],
    // win32k is ignored only for Windows matchers
    [pl('linux', 'amd64'), pl('linux', 'amd64', '', '', ['win32k']), false],
    [pl('windows', 'amd64'), pl('windows', 'amd64', '', '', ['win32k']), true],
    [pl('windows', 'amd64'), pl('windows', 'amd64', '', '', ['win32k', 'win32k']), false],
    [pl('windows', 'amd64', '', '', ['win32k']), pl('windows', 'amd64', '', '', ['win32k', 'win32k']), true],
    [pl('windows', 'amd64'), pl('windows', 'amd64', '', '', ['win32k', 'x']), false],
    [pl('windows', 'amd64', '', '', ['x']), pl('windows', 'amd64', '', '', ['x', 'win32k']), true],
    // the matcher's own spelling decides whether it is a Windows matcher
    [pl('Windows', 'amd64'), pl('windows', 'amd64', '', '', ['win32k']), false],
    [pl('Windows', 'amd64', '', '10.0.17763'), pl('windows', 'amd64', '', '10.0.20348'), true],
    [pl('windows', 'amd64', '', '10.0.17763'), pl('windows', 'amd64', '', '10.0.20348'), false],
  ])('%j matches %j: %s', (m, c, want) => {
    expect(P.newMatcher(m).match(c)).toBe(want)
  })

  it('normalizes an empty OS with the injected host, in the matcher and in candidates', () => {
    const W = forHost(pl('windows', 'amd64', '', '10.0.20348'))
    expect(W.newMatcher(pl('', 'amd64')).match(pl('windows', 'amd64'))).toBe(true)
    expect(W.newMatcher(pl('windows', 'amd64')).match(pl('', 'amd64'))).toBe(true)
    expect(P.newMatcher(pl('windows', 'amd64')).match(pl('', 'amd64'))).toBe(false)
  })

  it('prints as its normalized platform', () => {
    expect(String(P.newMatcher(pl('Linux', 'aarch64', '', '', ['b', 'a'])))).toBe('linux(+a+b)/arm64')
    expect(String(P.newMatcher(pl('windows', 'x86_64', '', '10.0.1')))).toBe('windows(10.0.1)/amd64')
  })
})

describe('absurd variants stay cheap', () => {
  it('only(amd64/v99999999) is bounded yet still runs plain amd64 and 386', async () => {
    const { only } = await import('../../../src-main/core/platforms')
    const m = only({ os: 'linux', architecture: 'amd64', variant: 'v99999999' })
    expect(m.match({ os: 'linux', architecture: 'amd64' })).toBe(true)
    expect(m.match({ os: 'linux', architecture: '386' })).toBe(true)
    expect(m.match({ os: 'linux', architecture: 'arm', variant: 'v99999999' })).toBe(false)
  })
})
