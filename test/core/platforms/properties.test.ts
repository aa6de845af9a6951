// Properties of the platforms port over generated input: the parser only ever fails with a BerthError,
// formatAll and parse are inverse on what parse produces, normalize is idempotent, and the comparers
// behave as orders.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BerthError } from '../../../src-main/core/errors'
import type { Platform } from '../../../src-main/core/oci'
import { forHost, formatAll, normalize, type MatchComparer } from '../../../src-main/core/platforms'
import { sortedUnique } from '../../../src-main/core/platforms/gostr'
import { HOSTS, linuxAmd64 } from './hosts'

const P = forHost(linuxAmd64)

const chars = (alphabet: string, min = 0, max = 8): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: min, maxLength: max })

const NAME = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'
const OPTION = NAME + '.'
const SPECIAL = '/()+*%& .\t\n\u00e9\u0000'

/** Strings that look like specifiers often enough to reach every branch of the parser. */
const specifierish = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  chars(NAME + SPECIAL, 0, 40),
  fc
    .array(
      fc.oneof(
        chars(NAME, 0, 6),
        fc.constantFrom('linux', 'windows(10.0.1+a)', 'arm64', 'v8', '(', ')', '%2', '%2B', '+'),
      ),
      {
        maxLength: 8,
      },
    )
    .map((xs) => xs.join('')),
  fc.array(chars(NAME + '()+%', 0, 8), { maxLength: 6 }).map((xs) => xs.join('/')),
)

describe('parse on arbitrary input', () => {
  it('either returns a platform with an OS and an architecture, or throws an invalid-argument BerthError', () => {
    fc.assert(
      fc.property(specifierish, fc.constantFrom(...Object.values(HOSTS)), (s, host) => {
        let p: Platform
        try {
          p = forHost(host).parse(s)
        } catch (e) {
          expect(e).toBeInstanceOf(BerthError)
          expect((e as BerthError).kind).toBe('invalid-argument')
          return
        }
        expect(typeof p.os).toBe('string')
        expect(p.os.length).toBeGreaterThan(0)
        expect(p.architecture.length).toBeGreaterThan(0)
      }),
      { numRuns: 3000 },
    )
  })
})

// Escapes whose decoded character formatAll writes back in a form parse accepts.
const escape = fc.constantFrom('%25', '%2B', '%2b', '%28', '%29', '%2F', '%41', '%2d', '%5F')
const optionText = (min: number): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof({ weight: 4, arbitrary: chars(OPTION, 1, 4) }, escape), { minLength: min, maxLength: 4 })
    .map((xs) => xs.join(''))

// path.Join drops "." and folds "..": Go's FormatAll loses such components too, so leave them out.
const component = (known: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...known),
    chars(OPTION, 1, 8).filter((c) => c !== '.' && c !== '..'),
  )

const OSES = ['linux', 'Linux', 'windows', 'macOS', 'darwin', 'freebsd', 'plan9', 'foo']
const ARCHES = [
  'amd64',
  'x86_64',
  'X86-64',
  'i386',
  '386',
  'arm',
  'armhf',
  'armel',
  'arm64',
  'aarch64',
  's390x',
  'riscv64',
]
const VARIANTS = [
  'v1',
  'v2',
  'v5',
  'v6',
  '7',
  'v7',
  '8',
  'v8',
  'v8.0',
  'v8.1',
  '9',
  '9.0',
  'v9.0',
  'v9.4',
  'vfp',
  'V3',
]

const osPart = fc
  .tuple(
    fc.oneof(fc.constantFrom(...OSES), chars(NAME, 1, 8)),
    fc.option(fc.tuple(fc.oneof(fc.constant(''), optionText(1)), fc.array(optionText(1), { maxLength: 3 })), {
      nil: undefined,
    }),
  )
  .map(([os, opts]) => (opts === undefined ? os : `${os}(${opts[0]}${opts[1].map((f) => '+' + f).join('')})`))

/** Specifiers in every accepted shape: os, arch, os/arch, os/arch/variant, with OS options. */
const validSpecifier = fc.oneof(
  osPart,
  fc.constantFrom(...ARCHES),
  fc.tuple(osPart, component(ARCHES)).map(([o, a]) => `${o}/${a}`),
  fc.tuple(osPart, component(ARCHES), component(VARIANTS)).map(([o, a, v]) => `${o}/${a}/${v}`),
)

const parsedPlatform = fc
  .tuple(validSpecifier, fc.constantFrom(...Object.values(HOSTS)))
  .map(([s, host]) => {
    try {
      return forHost(host).parse(s)
    } catch {
      return undefined
    }
  })
  .filter((p): p is Platform => p !== undefined)

const canonicalFeatures = (p: Platform): Platform => {
  const q = { ...p }
  if (q.osFeatures) q.osFeatures = sortedUnique(q.osFeatures)
  return q
}

describe('formatAll and parse', () => {
  it('parse(formatAll(p)) gives p back (features in formatAll’s sorted, de-duplicated order)', () => {
    fc.assert(
      fc.property(parsedPlatform, (p) => {
        expect(P.parse(formatAll(p))).toEqual(canonicalFeatures(p))
      }),
      { numRuns: 2000 },
    )
  })

  it('round-trips exactly when the features are already canonical', () => {
    fc.assert(
      fc.property(parsedPlatform.map(canonicalFeatures), (p) => {
        expect(P.parse(formatAll(p))).toEqual(p)
        expect(formatAll(P.parse(formatAll(p)))).toBe(formatAll(p))
      }),
      { numRuns: 1000 },
    )
  })

  it('most generated specifiers parse (the generator is not vacuous)', () => {
    const samples = fc.sample(validSpecifier, { numRuns: 500, seed: 7 })
    const ok = samples.filter((s) => {
      try {
        P.parse(s)
        return true
      } catch {
        return false
      }
    })
    expect(ok.length).toBeGreaterThan(samples.length / 2)
  })
})

const anyPlatform: fc.Arbitrary<Platform> = fc.record(
  {
    os: fc.oneof(fc.constantFrom(...OSES, ''), fc.string({ maxLength: 6 })),
    architecture: fc.oneof(fc.constantFrom(...ARCHES, 'ARM', 'AArch64', ''), fc.string({ maxLength: 6 })),
    variant: fc.oneof(fc.constantFrom(...VARIANTS, ''), fc.string({ maxLength: 4 })),
    osVersion: fc.oneof(
      fc.constantFrom('10.0.17763', '10.0.20348.1', '10.0.26100', ''),
      fc.string({ maxLength: 8 }),
    ),
    osFeatures: fc.array(
      fc.oneof(fc.constantFrom('win32k', 'gpu', 'a', 'B', ''), fc.string({ maxLength: 4 })),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ['os', 'architecture'] },
)

describe('normalize', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(anyPlatform, (p) => {
        const once = normalize(p, linuxAmd64)
        expect(normalize(once, linuxAmd64)).toEqual(once)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('matchers and comparers', () => {
  it('every parsed platform matches its own matcher, strict matcher and OS matcher', () => {
    fc.assert(
      fc.property(parsedPlatform, (p) => {
        expect(P.newMatcher(p).match(p)).toBe(true)
        expect(P.onlyStrict(p).match(p)).toBe(true)
        expect(P.onlyOS(p).match(p)).toBe(true)
        expect(P.ordered(p).match(p)).toBe(true)
        expect(P.any(p).match(p)).toBe(true)
        // only() resolves arm64 variants through a table, and unknown ones to nothing at all
        const n = normalize(p, linuxAmd64)
        const inTable = /^(v8(\.[0-9])?|v9(\.[0-7])?)?$/.test(n.variant ?? '')
        if (n.architecture !== 'arm64' || inTable) expect(P.only(p).match(p)).toBe(true)
        else expect(P.only(p).match(p)).toBe(false)
      }),
      { numRuns: 1000 },
    )
  })

  const comparers = (p: Platform, q: Platform): Array<[string, MatchComparer]> => [
    ['only', P.only(p)],
    ['onlyStrict', P.onlyStrict(p)],
    ['onlyOS', P.onlyOS(p)],
    ['ordered', P.ordered(p, q)],
    ['any', P.any(p, q)],
    ['default', forHost(p).defaultMatcher()],
  ]

  it('less is irreflexive and asymmetric', () => {
    fc.assert(
      fc.property(parsedPlatform, parsedPlatform, parsedPlatform, parsedPlatform, (p, q, a, b) => {
        for (const [, mc] of comparers(p, q)) {
          expect(mc.less(a, a)).toBe(false)
          expect(mc.less(a, b) && mc.less(b, a)).toBe(false)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('a match never ranks after a non-match', () => {
    fc.assert(
      fc.property(parsedPlatform, parsedPlatform, parsedPlatform, parsedPlatform, (p, q, a, b) => {
        for (const [, mc] of comparers(p, q)) {
          if (mc.match(a) && !mc.match(b)) expect(mc.less(b, a)).toBe(false)
        }
      }),
      { numRuns: 500 },
    )
  })
})
