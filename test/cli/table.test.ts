// The tabwriter port against outputs Go's text/tabwriter produces for ctr's formats.
import { describe, expect, it } from 'vitest'
import { bytesBinary, humanDuration, humanSize, tabwrite } from '../../src-main/cli/table'
import { defaultRoot } from '../../src-main/service/berth'

describe('tabwrite (Go text/tabwriter, minwidth 1, tabwidth 8, padding 1)', () => {
  it.each([
    { name: 'terminated cells pad every column', in: 'A\tBB\t\nccc\td\t\n', out: 'A   BB \nccc d  \n' },
    { name: 'the last unterminated cell is not padded', in: 'A\tB\nccc\tdddd\n', out: 'A   B\nccc dddd\n' },
    {
      name: 'a line without tabs ends the block',
      in: 'a\tb\t\nplain\nxxxx\ty\t\n',
      out: 'a b \nplain\nxxxx y \n',
    },
    {
      name: 'short lines take part in the columns they have',
      in: 'a\tb\tc\t\nlonger\t\nx\ty\tz\t\n',
      out: 'a      b c \nlonger \nx      y z \n',
    },
  ])('$name', (c) => expect(tabwrite(c.in)).toBe(c.out))

  it('pads with tabs when the pad character is a tab (ctr content ls)', () => {
    expect(tabwrite('DIGEST\tSIZE\nsha256:abcdefghij\t1kB\n', { padchar: '\t' })).toBe(
      'DIGEST\t\t\tSIZE\nsha256:abcdefghij\t1kB\n',
    )
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
    [575, '575B'],
    [1536, '1.536kB'],
    [1000, '1kB'],
    [10_485_760, '10.49MB'],
  ])('humanSize(%i) = %s', (n, s) => expect(humanSize(n)).toBe(s))
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
