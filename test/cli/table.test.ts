// How berth prints tables: aligned columns of spaces, no trailing space, no raw control characters.
import { describe, expect, it } from 'vitest'
import { bytesBinary, columns, humanDuration } from '../../src-main/cli/table'
import { defaultRoot } from '../../src-main/service/berth'

describe('columns', () => {
  it('pads every column but the last to its widest cell plus two spaces', () => {
    expect(
      columns([
        ['A', 'BB', 'c'],
        ['ccc', 'd', 'eeee'],
      ]),
    ).toBe('A    BB  c\nccc  d   eeee\n')
  })
  it('leaves no trailing space when the last cell is empty', () => {
    expect(
      columns([
        ['NAME', 'LABELS'],
        ['x', ''],
      ]),
    ).toBe('NAME  LABELS\nx\n')
  })
  it('shows tabs, newlines and other controls in a cell escaped, never raw', () => {
    const out = columns([['a\tb', 'c\nd', 'e\u0001']])
    expect(out).toBe('a\\tb  c\\nd  e\\x01\n')
    expect(out).not.toMatch(/\t/)
  })
  it('counts characters, not UTF-16 units', () => {
    expect(
      columns([
        ['😀', 'x'],
        ['ab', 'y'],
      ]),
    ).toBe('😀   x\nab  y\n')
  })
})

describe('sizes and durations as ctr prints them', () => {
  it.each([
    [0, '0.0 B'],
    [575, '575.0 B'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10.0 MiB'],
  ])('bytesBinary(%i) = %s', (n, s) => expect(bytesBinary(n)).toBe(s))
  it.each([
    [500, 'Less than a second'],
    [1000, '1 second'],
    [5000, '5 seconds'],
    [90_000, 'About a minute'],
    [3 * 3600_000, '3 hours'],
    [5 * 86_400_000, '5 days'],
  ])('humanDuration(%i) = %s', (n, s) => expect(humanDuration(n)).toBe(s))
})

describe('default root: Electron userData for productName Berth', () => {
  it.each([
    { platform: 'linux', env: {}, want: '/home/u/.config/Berth' },
    { platform: 'linux', env: { XDG_CONFIG_HOME: '/x' }, want: '/x/Berth' },
    { platform: 'darwin', env: {}, want: '/home/u/Library/Application Support/Berth' },
  ] as const)('$platform $env', (c) => expect(defaultRoot(c.env, c.platform, '/home/u')).toBe(c.want))
})
