// containerd/platforms platforms_test.go (TestParseSelector, TestFormatAllEncoding,
// TestParseSelectorInvalid, TestFormatAllSkipsEmptyOSFeatures) run on several injected hosts, plus the
// corners of the parser and its error texts.
import { describe, expect, it } from 'vitest'
import { BerthError, isKind } from '../../../src-main/core/errors'
import type { Platform } from '../../../src-main/core/oci'
import { forHost, format, formatAll, parseAll } from '../../../src-main/core/platforms'
import { pathJoin } from '../../../src-main/core/platforms/gostr'
import { HOSTS, linuxAmd64, pl } from './hosts'

interface SelectorCase {
  input: string
  expected: Platform
  matches?: Platform[]
  formatted: string
  v2?: boolean
}

function selectorCases(host: Platform): SelectorCase[] {
  const dOS = host.os
  const dArch = host.architecture
  // containerd: a lone OS takes the host's variant only on arm hosts that are not v7.
  const dVar = dArch === 'arm' && host.variant !== 'v7' ? (host.variant ?? '') : ''
  return [
    {
      input: 'linux/arm64',
      expected: pl('linux', 'arm64'),
      matches: [pl('linux', 'aarch64'), pl('linux', 'aarch64', 'v8'), pl('linux', 'arm64', 'v8')],
      formatted: 'linux/arm64',
    },
    {
      input: 'linux/arm64/v8',
      expected: pl('linux', 'arm64', 'v8'),
      matches: [pl('linux', 'aarch64'), pl('linux', 'aarch64', 'v8'), pl('linux', 'arm64')],
      formatted: 'linux/arm64/v8',
    },
    {
      input: 'linux/arm',
      expected: pl('linux', 'arm'),
      matches: [pl('linux', 'arm', 'v7'), pl('linux', 'armhf'), pl('linux', 'arm', '7')],
      formatted: 'linux/arm',
    },
    {
      input: 'linux/arm/v6',
      expected: pl('linux', 'arm', 'v6'),
      matches: [pl('linux', 'armel')],
      formatted: 'linux/arm/v6',
    },
    {
      input: 'linux/arm/v7',
      expected: pl('linux', 'arm', 'v7'),
      matches: [pl('linux', 'arm'), pl('linux', 'armhf')],
      formatted: 'linux/arm/v7',
    },
    { input: 'arm', expected: pl(dOS, 'arm'), formatted: pathJoin(dOS, 'arm') },
    { input: 'armel', expected: pl(dOS, 'arm', 'v6'), formatted: pathJoin(dOS, 'arm/v6') },
    { input: 'armhf', expected: pl(dOS, 'arm'), formatted: pathJoin(dOS, 'arm') },
    { input: 'Aarch64', expected: pl(dOS, 'arm64'), formatted: pathJoin(dOS, 'arm64') },
    { input: 'x86_64', expected: pl(dOS, 'amd64'), formatted: pathJoin(dOS, 'amd64') },
    { input: 'Linux/x86_64', expected: pl('linux', 'amd64'), formatted: 'linux/amd64' },
    { input: 'i386', expected: pl(dOS, '386'), formatted: pathJoin(dOS, '386') },
    { input: 'linux', expected: pl('linux', dArch, dVar), formatted: pathJoin('linux', dArch, dVar) },
    { input: 's390x', expected: pl(dOS, 's390x'), formatted: pathJoin(dOS, 's390x') },
    { input: 'linux/s390x', expected: pl('linux', 's390x'), formatted: 'linux/s390x' },
    { input: 'macOS', expected: pl('darwin', dArch, dVar), formatted: pathJoin('darwin', dArch, dVar) },
    { input: 'windows', expected: pl('windows', dArch, dVar), formatted: pathJoin('windows', dArch, dVar) },
    {
      input: 'windows()',
      expected: pl('windows', dArch, dVar),
      formatted: pathJoin('windows', dArch, dVar),
      v2: true,
    },
    {
      input: 'windows(10.0.17763)',
      expected: pl('windows', dArch, dVar, '10.0.17763'),
      formatted: pathJoin('windows(10.0.17763)', dArch, dVar),
      v2: true,
    },
    {
      input: 'windows(10.0.17763+win32k)',
      expected: pl('windows', dArch, dVar, '10.0.17763', ['win32k']),
      formatted: pathJoin('windows(10.0.17763+win32k)', dArch, dVar),
      v2: true,
    },
    {
      input: 'linux(+gpu)',
      expected: pl('linux', dArch, dVar, '', ['gpu']),
      formatted: pathJoin('linux(+gpu)', dArch, dVar),
      v2: true,
    },
    {
      input: 'linux(+gpu+simd)',
      expected: pl('linux', dArch, dVar, '', ['gpu', 'simd']),
      formatted: pathJoin('linux(+gpu+simd)', dArch, dVar),
      v2: true,
    },
    {
      input: 'linux(+unsorted+erofs)',
      expected: pl('linux', dArch, dVar, '', ['unsorted', 'erofs']),
      formatted: pathJoin('linux(+erofs+unsorted)', dArch, dVar),
      v2: true,
    },
    {
      input: 'windows(10.0.17763%2Bbuild.42)',
      expected: pl('windows', dArch, dVar, '10.0.17763+build.42'),
      formatted: pathJoin('windows(10.0.17763%2Bbuild.42)', dArch, dVar),
      v2: true,
    },
    {
      input: 'windows(10.0.17763%2Bbuild.42+win32k)',
      expected: pl('windows', dArch, dVar, '10.0.17763+build.42', ['win32k']),
      formatted: pathJoin('windows(10.0.17763%2Bbuild.42+win32k)', dArch, dVar),
      v2: true,
    },
    {
      input: 'windows(50%25done)',
      expected: pl('windows', dArch, dVar, '50%done'),
      formatted: pathJoin('windows(50%25done)', dArch, dVar),
      v2: true,
    },
  ]
}

describe.each(Object.entries(HOSTS))('parse selectors on %s', (_name, host) => {
  const P = forHost(host)
  it.each(selectorCases(host))('$input', (tc) => {
    const p = P.parse(tc.input)
    expect(p).toEqual(tc.expected)

    const m = P.newMatcher(p)
    expect(m.match(tc.expected)).toBe(true)
    for (const candidate of tc.matches ?? []) expect(m.match(candidate)).toBe(true)

    const formatted = tc.v2 ? formatAll(p) : format(p)
    expect(formatted).toBe(tc.formatted)

    // re-parsing the formatted output is stable
    const reparsed = P.parse(formatted)
    expect(tc.v2 ? formatAll(reparsed) : format(reparsed)).toBe(formatted)
  })
})

describe('formatAll encoding (TestFormatAllEncoding)', () => {
  const P = forHost(linuxAmd64)
  it.each([
    [pl('windows', 'amd64', '', '10.0.17763+build.42'), 'windows(10.0.17763%2Bbuild.42)/amd64'],
    [
      pl('windows', 'amd64', '', '10.0.17763+build.42', ['win32k']),
      'windows(10.0.17763%2Bbuild.42+win32k)/amd64',
    ],
    [pl('windows', 'amd64', '', '50%done'), 'windows(50%25done)/amd64'],
    [pl('windows', 'amd64', '', '1.0(beta)'), 'windows(1.0%28beta%29)/amd64'],
    [pl('windows', 'amd64', '', 'a/b'), 'windows(a%2Fb)/amd64'],
    [pl('windows', 'amd64', '', '10.0.17763'), 'windows(10.0.17763)/amd64'],
    [pl('linux', 'amd64', '', '', ['feat+v2']), 'linux(+feat%2Bv2)/amd64'],
    [pl('linux', 'amd64', '', '', ['100%gpu']), 'linux(+100%25gpu)/amd64'],
    [pl('windows', 'amd64', '', '10.0+build', ['feat+1']), 'windows(10.0%2Bbuild+feat%2B1)/amd64'],
    [pl('linux', 'amd64', '', '%2B'), 'linux(%252B)/amd64'],
    [pl('linux', 'amd64', '', '', ['(x)', '/y']), 'linux(+%28x%29+%2Fy)/amd64'],
  ])('%j → %s', (p, expected) => {
    const formatted = formatAll(p)
    expect(formatted).toBe(expected)
    const reparsed = P.parse(formatted)
    expect(reparsed.osVersion).toBe(p.osVersion)
    expect(reparsed.osFeatures).toEqual(p.osFeatures)
  })
})

describe('format and formatAll', () => {
  it.each([
    [pl('', 'amd64'), 'unknown', 'unknown'],
    [{ os: '', architecture: '', osVersion: '1', osFeatures: ['a'] }, 'unknown', 'unknown'],
    [pl('linux', ''), 'linux', 'linux'],
    [pl('linux', '', 'v7'), 'linux/v7', 'linux/v7'],
    [pl('linux', 'arm', 'v7'), 'linux/arm/v7', 'linux/arm/v7'],
    [pl('linux', 'arm64', 'v8'), 'linux/arm64/v8', 'linux/arm64/v8'],
    [pl('Linux', 'x86_64'), 'Linux/x86_64', 'Linux/x86_64'],
    [pl('windows', 'amd64', '', '10.0.17763'), 'windows/amd64', 'windows(10.0.17763)/amd64'],
    [pl('linux', 'amd64', '', '', ['gpu']), 'linux/amd64', 'linux(+gpu)/amd64'],
    [pl('linux', 'amd64', '', '', ['b', 'a', 'b']), 'linux/amd64', 'linux(+a+b)/amd64'],
    [pl('linux', 'amd64', '', '', ['', '', 'gpu']), 'linux/amd64', 'linux(+gpu)/amd64'],
    // Only empty features: the parentheses are left out entirely.
    [{ os: 'linux', architecture: 'amd64', osFeatures: [''] }, 'linux/amd64', 'linux/amd64'],
    [
      pl('windows', 'arm64', 'v8', '10.0.1', ['win32k']),
      'windows/arm64/v8',
      'windows(10.0.1+win32k)/arm64/v8',
    ],
    // path.Join cleans the result, as Go's does.
    [pl('linux', '..'), '.', '.'],
    [pl('linux', '.', 'v7'), 'linux/v7', 'linux/v7'],
    [pl('a//b', 'c/'), 'a/b/c', 'a/b/c'],
    [pl('/linux', 'amd64'), '/linux/amd64', '/linux/amd64'],
  ])('%j → %s, %s', (p, f, fa) => {
    expect(format(p)).toBe(f)
    expect(formatAll(p)).toBe(fa)
  })

  it('skips empty OS features (TestFormatAllSkipsEmptyOSFeatures)', () => {
    expect(formatAll(pl('linux', 'amd64', '', '', ['', 'gpu', '', 'simd']))).toBe('linux(+gpu+simd)/amd64')
  })

  it('does not sort the caller’s feature array', () => {
    const p = pl('linux', 'amd64', '', '', ['z', 'a'])
    formatAll(p)
    expect(p.osFeatures).toEqual(['z', 'a'])
  })
})

const OS_RE = String.raw`"^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$"`
const SPEC_RE = '"^[A-Za-z0-9_.-]+$"'
const osError = (part: string, spec: string): string =>
  `${part} is an invalid OS component of ${spec}: OSAndVersion specifier component must match ${OS_RE}: invalid argument`
const partError = (part: string, spec: string): string =>
  `${part} is an invalid component of ${spec}: platform specifier component must match ${SPEC_RE}: invalid argument`

describe('parse errors', () => {
  const P = forHost(linuxAmd64)
  it.each([
    // TestParseSelectorInvalid
    ['', osError('""', '""')],
    ['/linux/arm', osError('""', '"/linux/arm"')],
    ['linux/arm/', partError('""', '"linux/arm/"')],
    ['linux /arm', osError('"linux "', '"linux /arm"')],
    ['linux/&arm', partError('"&arm"', '"linux/&arm"')],
    ['linux/arm/foo/bar', '"linux/arm/foo/bar": cannot parse platform specifier: invalid argument'],
    // wildcards
    ['*', '"*": wildcards not yet supported: invalid argument'],
    ['linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
    ['*/arm64', '"*/arm64": wildcards not yet supported: invalid argument'],
    ['linux(*)', '"linux(*)": wildcards not yet supported: invalid argument'],
    // the fourth piece keeps further slashes, so it fails the component pattern first
    ['a/b/c/d/e', partError('"d/e"', '"a/b/c/d/e"')],
    ['a/b/c/&', partError('"&"', '"a/b/c/&"')],
    ['a/b/c/d', '"a/b/c/d": cannot parse platform specifier: invalid argument'],
    ['linux//amd64', partError('""', '"linux//amd64"')],
    ['linux/amd64//', partError('""', '"linux/amd64//"')],
    ['linux/amd 64', partError('"amd 64"', '"linux/amd 64"')],
    ['linux/amd64/v(1)', partError('"v(1)"', '"linux/amd64/v(1)"')],
    ['linux/amd64/v1+2', partError('"v1+2"', '"linux/amd64/v1+2"')],
    // the OS component
    ['linux(', osError('"linux("', '"linux("')],
    ['linux)', osError('"linux)"', '"linux)"')],
    ['linux(+)', osError('"linux(+)"', '"linux(+)"')],
    ['linux(++a)', osError('"linux(++a)"', '"linux(++a)"')],
    ['linux(+a+)', osError('"linux(+a+)"', '"linux(+a+)"')],
    ['linux(a b)', osError('"linux(a b)"', '"linux(a b)"')],
    ['linux(1)(2)', osError('"linux(1)(2)"', '"linux(1)(2)"')],
    ['lin.ux', osError('"lin.ux"', '"lin.ux"')],
    ['(1.0)', osError('"(1.0)"', '"(1.0)"')],
    ['linux(1/2)/amd64', osError('"linux(1"', '"linux(1/2)/amd64"')],
    ['linux\n', osError('"linux\\n"', '"linux\\n"')],
    ['linux\t/amd64', osError('"linux\\t"', '"linux\\t/amd64"')],
    ['\u0000', osError('"\\x00"', '"\\x00"')],
    ['é', osError('"é"', '"é"')],
    ['say "hi"', osError('"say \\"hi\\""', '"say \\"hi\\""')],
    ['back\\slash', osError('"back\\\\slash"', '"back\\\\slash"')],
    ['\u200b', osError('"\\u200b"', '"\\u200b"')],
    // escapes
    ['linux(%zz)', '"linux(%zz)" has an invalid OS version "%zz": invalid URL escape "%zz"'],
    ['linux(%2)', '"linux(%2)" has an invalid OS version "%2": invalid URL escape "%2"'],
    ['linux(1%)', '"linux(1%)" has an invalid OS version "1%": invalid URL escape "%"'],
    ['linux(%g00)', '"linux(%g00)" has an invalid OS version "%g00": invalid URL escape "%g0"'],
    [
      'linux(+%zz)',
      '"linux(+%zz)" has invalid OS features: invalid os feature "%zz": invalid URL escape "%zz"',
    ],
    [
      'linux(+a+b%)',
      '"linux(+a+b%)" has invalid OS features: invalid os feature "b%": invalid URL escape "%"',
    ],
    // the version is checked before the features, and the OS piece before the others
    ['linux(%%+%z)/&', '"linux(%%+%z)/&" has an invalid OS version "%%": invalid URL escape "%%"'],
    [
      'linux(+%z)/&',
      '"linux(+%z)/&" has invalid OS features: invalid os feature "%z": invalid URL escape "%z"',
    ],
    // unknown lone names
    ['foo', '"foo": unknown operating system or architecture: invalid argument'],
    ['amd64(1.0)', '"amd64(1.0)": unknown operating system or architecture: invalid argument'],
    ['x86_64()', '"x86_64()": unknown operating system or architecture: invalid argument'],
    ['arm64(+a)', '"arm64(+a)": unknown operating system or architecture: invalid argument'],
    ['armv7', '"armv7": unknown operating system or architecture: invalid argument'],
    ['macos-x', '"macos-x": unknown operating system or architecture: invalid argument'],
  ])('%j', (input, message) => {
    let err: unknown
    try {
      P.parse(input)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(BerthError)
    expect(isKind(err, 'invalid-argument')).toBe(true)
    expect((err as Error).message).toBe(message)
  })

  it('parseAll names the specifier that failed', () => {
    expect(() => parseAll(['linux/amd64', 'linux/&'], linuxAmd64)).toThrow(
      /^invalid platform linux\/&: "&" is an invalid component/,
    )
    expect(parseAll(['linux/amd64', 'arm64'], linuxAmd64)).toEqual([
      pl('linux', 'amd64'),
      pl('linux', 'arm64'),
    ])
  })

  it('copes with a long plus chain quickly (BenchmarkParseOSOptions)', () => {
    const start = Date.now()
    expect(() => P.parse('linux(' + '+'.repeat(64 * 1024) + ')/amd64')).toThrow(BerthError)
    const blob = 'CONFIG_' + 'FOO=y_'.repeat(16 * 1024) + 'BAR'
    expect(() => P.parse(`linux(+${blob})/amd64`)).toThrow(BerthError)
    const ok = P.parse('linux(+' + '+feature'.repeat(16).slice(1) + ')/amd64')
    expect(ok.osFeatures).toHaveLength(16)
    expect(Date.now() - start).toBeLessThan(2000)
  })
})

describe('parse corners', () => {
  const P = forHost(linuxAmd64)
  it.each([
    // three pieces: arch and variant normalized, arm64 keeps v8 visible, arm keeps v7
    ['linux/arm64/8', pl('linux', 'arm64', 'v8')],
    ['linux/arm64/v8.0', pl('linux', 'arm64', 'v8')],
    ['linux/aarch64/V8', pl('linux', 'arm64', 'v8')],
    ['linux/arm64/9', pl('linux', 'arm64', 'v9')],
    ['linux/arm64/v9.0', pl('linux', 'arm64', 'v9')],
    ['linux/arm64/v8.1', pl('linux', 'arm64', 'v8.1')],
    ['linux/arm64/8.1', pl('linux', 'arm64', '8.1')],
    ['linux/arm/7', pl('linux', 'arm', 'v7')],
    ['linux/arm/v7', pl('linux', 'arm', 'v7')],
    ['linux/arm/5', pl('linux', 'arm', 'v5')],
    ['linux/arm/4', pl('linux', 'arm', '4')],
    ['linux/arm/vfp', pl('linux', 'arm', 'vfp')],
    ['linux/armhf/v5', pl('linux', 'arm', 'v7')],
    ['linux/armel/v7', pl('linux', 'arm', 'v6')],
    ['linux/amd64/v1', pl('linux', 'amd64')],
    ['linux/amd64/V3', pl('linux', 'amd64', 'v3')],
    ['linux/x86-64/v2', pl('linux', 'amd64', 'v2')],
    ['linux/i386/v1', pl('linux', '386')],
    ['linux/386/v1', pl('linux', '386', 'v1')],
    ['linux/riscv64/rva23', pl('linux', 'riscv64', 'rva23')],
    // two pieces: nothing is checked against the known names
    ['foo/bar', pl('foo', 'bar')],
    ['FOO/BAR', pl('foo', 'bar')],
    ['MacOS/ARM64', pl('darwin', 'arm64')],
    ['linux/armhf', pl('linux', 'arm')],
    ['linux/armel', pl('linux', 'arm', 'v6')],
    ['linux/x86-64', pl('linux', 'amd64')],
    ['linux/.', pl('linux', '.')],
    ['linux/..', pl('linux', '..')],
    ['plan9/386', pl('plan9', '386')],
    // one piece: known OS names (host arch) and known architectures (host OS)
    ['LINUX', pl('linux', 'amd64')],
    ['freebsd', pl('freebsd', 'amd64')],
    ['zos', pl('zos', 'amd64')],
    ['wasm', pl('linux', 'wasm')],
    ['riscv64', pl('linux', 'riscv64')],
    ['mips64p32le', pl('linux', 'mips64p32le')],
    ['ARMHF', pl('linux', 'arm')],
    ['x86-64', pl('linux', 'amd64')],
    ['loong64', pl('linux', 'loong64')],
    // OS options
    ['linux()', pl('linux', 'amd64')],
    ['linux()/arm64', pl('linux', 'arm64')],
    ['windows(10.0.17763)/amd64', pl('windows', 'amd64', '', '10.0.17763')],
    ['linux(+b+a+b)/amd64', pl('linux', 'amd64', '', '', ['b', 'a', 'b'])],
    ['linux(1.0+A+a)/amd64', pl('linux', 'amd64', '', '1.0', ['A', 'a'])],
    ['linux(%41%42)/amd64', pl('linux', 'amd64', '', 'AB')],
    ['linux(%e2%82%ac)/amd64', pl('linux', 'amd64', '', '€')],
    ['linux(%ff)/amd64', pl('linux', 'amd64', '', '\ufffd')],
    ['linux(+%2B)/amd64', pl('linux', 'amd64', '', '', ['+'])],
    ['linux(-_.)/amd64', pl('linux', 'amd64', '', '-_.')],
    ['Windows(10.0.1)', pl('windows', 'amd64', '', '10.0.1')],
  ])('%j', (input, expected) => {
    expect(P.parse(input)).toEqual(expected)
  })

  it('never reports an arm/v7 host variant for a lone OS, but does report others', () => {
    expect(forHost(pl('linux', 'arm', 'v7')).parse('linux')).toEqual(pl('linux', 'arm'))
    expect(forHost(pl('linux', 'arm', 'v6')).parse('windows')).toEqual(pl('windows', 'arm', 'v6'))
    expect(forHost(pl('linux', 'arm', 'unknown')).parse('linux')).toEqual(pl('linux', 'arm', 'unknown'))
    expect(forHost(pl('linux', 'arm64', 'v8')).parse('linux')).toEqual(pl('linux', 'arm64'))
    expect(forHost(pl('windows', 'amd64', '', '10.0.20348')).parse('linux')).toEqual(pl('linux', 'amd64'))
    expect(forHost(pl('darwin', 'arm64')).parse('amd64')).toEqual(pl('darwin', 'amd64'))
  })
})
