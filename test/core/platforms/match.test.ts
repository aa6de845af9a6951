// containerd/platforms compare_test.go, the match tables: TestOnly, TestOnlyStrict, TestOnlyOS.
import { describe, expect, it } from 'vitest'
import type { Platform } from '../../../src-main/core/oci'
import { forHost, only, onlyOS, onlyStrict, type MatchComparer } from '../../../src-main/core/platforms'
import { linuxAmd64, pl } from './hosts'

const P = forHost(linuxAmd64)
const parse = P.parse

type MatchTable = Array<[string, string[], string[]]>

function checkMatches(make: (p: Platform) => MatchComparer, table: MatchTable): void {
  const cases = table.flatMap(([spec, yes, no]) => [
    ...yes.map((c) => [spec, c, true] as const),
    ...no.map((c) => [spec, c, false] as const),
  ])
  it.each(cases)('%s vs %s → %s', (spec, candidate, want) => {
    expect(make(parse(spec)).match(parse(candidate))).toBe(want)
  })
}

const ARM64_ALL_V9_6 = [
  'linux/arm',
  'linux/arm/v5',
  'linux/arm/v6',
  'linux/arm/v7',
  'linux/arm/v8',
  'linux/arm64',
  'linux/arm64/v8',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `linux/arm64/v8.${n}`),
  'linux/arm64/v9',
  'linux/arm64/v9.0',
  ...[1, 2, 3, 4, 5, 6].map((n) => `linux/arm64/v9.${n}`),
]

describe('only (TestOnly)', () => {
  checkMatches(
    (p) => only(p, linuxAmd64),
    [
      [
        'linux/amd64',
        ['linux/amd64', 'linux/386'],
        ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'linux/amd64/v2',
        ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'],
        ['linux/amd64/v3', 'linux/amd64/v4', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'linux/386',
        ['linux/386'],
        ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'windows/amd64',
        ['windows/amd64', 'windows(10.0.17763)/amd64', 'windows/386'],
        ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm'],
      ],
      [
        'linux/arm/v8',
        ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'],
        ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'linux/arm/v7',
        ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'],
        ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'linux/arm/v6',
        ['linux/arm/v5', 'linux/arm/v6'],
        [
          'linux/amd64',
          'linux/arm',
          'linux/arm/v4',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v5',
        ['linux/arm/v5'],
        [
          'linux/amd64',
          'linux/arm',
          'linux/arm/v4',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v4',
        ['linux/arm/v4'],
        [
          'linux/amd64',
          'linux/arm',
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64/v9.6',
        ARM64_ALL_V9_6,
        [
          'linux/amd64',
          'linux/arm/v4',
          'windows/amd64',
          'windows/arm',
          'linux/arm64/v8.10',
          'linux/arm64/v9.7',
        ],
      ],
      [
        'linux/arm64/v9',
        [
          'linux/arm',
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'linux/arm64/v8',
          'linux/arm64/v8.1',
          'linux/arm64/v8.2',
          'linux/arm64/v8.3',
          'linux/arm64/v8.4',
          'linux/arm64/v8.5',
          'linux/arm64/v9',
          'linux/arm64/v9.0',
        ],
        [
          'linux/amd64',
          'linux/arm/v4',
          'windows/amd64',
          'windows/arm',
          'linux/arm64/v8.6',
          'linux/arm64/v9.1',
        ],
      ],
      [
        'linux/arm64/v8.1',
        [
          'linux/arm',
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'linux/arm64/v8',
          'linux/arm64/v8.1',
        ],
        [
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v9',
          'linux/arm64/v9',
          'linux/arm64/v8.2',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64',
        [
          'linux/arm',
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'linux/arm64/v8',
          'linux/aarch64',
        ],
        [
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v9',
          'linux/arm64/v9',
          'linux/arm64/v8.1',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      // variants outside the arm64 table resolve to nothing, not even themselves
      ['linux/arm64/v10', [], ['linux/arm64/v10', 'linux/arm64', 'linux/arm/v7']],
      ['linux/arm64/v8.10', [], ['linux/arm64/v8.10', 'linux/arm64', 'linux/arm64/v8.9']],
      ['linux/arm64/8.1', [], ['linux/arm64/8.1', 'linux/arm64/v8.1', 'linux/arm64']],
      // an arm variant that is not v<number> matches only itself
      ['linux/arm/vfp', ['linux/arm/vfp', 'linux/arm/VFP'], ['linux/arm', 'linux/arm/v5']],
      ['linux/arm/v07', ['linux/arm/v07', 'linux/arm/v6', 'linux/arm/v5'], ['linux/arm', 'linux/arm/v7']],
      // amd64 variants that are not v<number> still fall back to 386
      ['linux/amd64/foo', ['linux/amd64/foo', 'linux/386'], ['linux/amd64']],
      [
        'linux/amd64/v4',
        ['linux/amd64/v4', 'linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386'],
        ['linux/amd64/v5'],
      ],
      // osVersion is ignored off Windows
      ['linux(1.0)/amd64', ['linux(2.0)/amd64', 'linux/386'], []],
      ['linux/s390x', ['linux/s390x'], ['linux/s390', 'linux/amd64']],
    ],
  )
})

describe('onlyStrict (TestOnlyStrict)', () => {
  const allArm = ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8']
  checkMatches(
    (p) => onlyStrict(p, linuxAmd64),
    [
      [
        'linux/amd64',
        ['linux/amd64', 'linux/x86_64', 'linux/amd64/v1'],
        ['linux/386', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm', 'linux/amd64/v2'],
      ],
      [
        'linux/386',
        ['linux/386', 'linux/i386'],
        ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
      ],
      [
        'windows/amd64',
        ['windows/amd64', 'windows(10.0.17763)/amd64'],
        ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm', 'windows/386'],
      ],
      [
        'windows(10.0.17763)/amd64',
        ['windows/amd64', 'windows(10.0.17763)/amd64'],
        ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm', 'windows(10.0.17764)/amd64'],
      ],
      [
        'linux/arm/v8',
        ['linux/arm/v8'],
        [
          ...allArm.filter((a) => a !== 'linux/arm/v8'),
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v7',
        ['linux/arm', 'linux/arm/v7', 'linux/armhf'],
        [
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v6',
        ['linux/arm/v6', 'linux/armel'],
        [
          'linux/arm/v5',
          'linux/amd64',
          'linux/arm',
          'linux/arm/v4',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v5',
        ['linux/arm/v5'],
        [
          'linux/amd64',
          'linux/arm',
          'linux/arm/v4',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm/v4',
        ['linux/arm/v4'],
        [
          'linux/amd64',
          'linux/arm',
          'linux/arm/v5',
          'linux/arm/v6',
          'linux/arm/v7',
          'linux/arm/v8',
          'linux/arm64',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64/v9.5',
        ['linux/arm64/v9.5'],
        [
          ...allArm,
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm64/v8',
          'linux/arm64/v8.1',
          'linux/arm64/v9',
          'linux/arm64/v9.1',
          'linux/arm64/v9.4',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64/v9',
        ['linux/arm64/v9', 'linux/arm64/v9.0', 'linux/arm64/9'],
        [
          ...allArm,
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v9',
          'linux/arm64/v8',
          'linux/arm64/v8.1',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64/v8.1',
        ['linux/arm64/v8.1'],
        [
          ...allArm,
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v9',
          'linux/arm64/v8',
          'linux/arm64/v9',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      [
        'linux/arm64',
        ['linux/arm64', 'linux/arm64/v8', 'linux/aarch64/8'],
        [
          ...allArm,
          'linux/amd64',
          'linux/arm/v4',
          'linux/arm/v9',
          'linux/arm64/v9',
          'windows/amd64',
          'windows/arm',
        ],
      ],
      // unlike only, arm64 variants outside the table still match themselves
      ['linux/arm64/v10', ['linux/arm64/v10'], ['linux/arm64']],
    ],
  )
})

describe('onlyOS (TestOnlyOS)', () => {
  checkMatches(
    (p) => onlyOS(p, linuxAmd64),
    [
      [
        'linux/amd64',
        ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'Linux/riscv64'],
        ['windows/amd64', 'darwin/arm64', 'linux(+gpu)/amd64'],
      ],
      [
        'windows(10.0.17763)/amd64',
        [
          'windows/amd64',
          'windows/arm64',
          'windows(10.0.17763)/amd64',
          'windows(10.0.17763)/arm64',
          'windows(10.0.17763.42)/arm64',
        ],
        ['linux/amd64', 'windows(10.0.17764)/amd64', 'windows(10.0.20348)/arm64'],
      ],
      [
        'linux(+gpu)/amd64',
        ['linux/arm64', 'linux(+gpu)/amd64', 'linux(+gpu)/s390x'],
        ['windows/amd64', 'linux(+gpu+simd)/amd64', 'linux(+simd)/arm64'],
      ],
      // win32k is not stripped here
      ['windows/amd64', ['windows/arm64'], ['windows(+win32k)/amd64']],
    ],
  )
})

describe('onlyOS on a platform spelled Windows', () => {
  it('normalizes the OS before choosing the version check (unlike newMatcher)', () => {
    const spelled = pl('Windows', 'amd64', '', '10.0.17763')
    expect(onlyOS(spelled, linuxAmd64).match(pl('windows', 'arm64', '', '10.0.17763'))).toBe(true)
    expect(onlyOS(spelled, linuxAmd64).match(pl('windows', 'arm64', '', '10.0.20348'))).toBe(false)
    expect(P.newMatcher(spelled).match(pl('windows', 'amd64', '', '10.0.20348'))).toBe(true)
  })
})
