// The grammar as containerd-semantics.md §b.1–b.3 and §b.5 state it: what parses to which selectors,
// and every error class with upstream's exact message.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../../src-main/core/errors'
import { parse, parseAll, parseSelectors } from '../../../src-main/core/filters'

const sel = (fieldpath: string[], operator: '' | '==' | '!=' | '~=' = '', value = '') => ({
  fieldpath,
  operator,
  value,
})

const parses: [input: string, selectors: ReturnType<typeof sel>[]][] = [
  // §b.1 structure and fieldpaths
  ['name', [sel(['name'])]],
  ['name==x', [sel(['name'], '==', 'x')]],
  ['name!=x', [sel(['name'], '!=', 'x')]],
  ['name~=x', [sel(['name'], '~=', 'x')]],
  ['a,b==1,c', [sel(['a']), sel(['b'], '==', '1'), sel(['c'])]],
  ['labels.foo.bar==x', [sel(['labels', 'foo', 'bar'], '==', 'x')]],
  ['_x.9lives==y', [sel(['_x', '9lives'], '==', 'y')]], // a leading digit or underscore is accepted
  ['labels."containerd.io/gc.root"', [sel(['labels', 'containerd.io/gc.root'])]],
  ['"leading quote".post==v', [sel(['leading quote', 'post'], '==', 'v')]],
  ['labels."".x', [sel(['labels', '', 'x'])]],
  // §b.2 unquoted values
  ['other==a=b', [sel(['other'], '==', 'a=b')]],
  ['name==a/b', [sel(['name'], '==', 'a/b')]],
  ['name==a.b"c\'d|e', [sel(['name'], '==', 'a.b"c\'d|e')]],
  ["name=='foo'", [sel(['name'], '==', "'foo'")]], // single quotes are ordinary characters
  ['name==`foo`', [sel(['name'], '==', '`foo`')]],
  ['name~=^fo\\w+$', [sel(['name'], '~=', '^fo\\w+$')]], // backslashes are literal outside quotes
  ['name==牛', [sel(['name'], '==', '牛')]],
  ['name==x\u0301', [sel(['name'], '==', 'x\u0301')]], // a combining mark continues a value
  ['name==\x01', [sel(['name'], '==', '\x01')]], // the first character of a value is taken unexamined
  ['name==9', [sel(['name'], '==', '9')]],
  ['name==_', [sel(['name'], '==', '_')]],
  // §b.2 quoted values
  ['name=="a, b"', [sel(['name'], '==', 'a, b')]],
  ['name~=/.*/', [sel(['name'], '~=', '.*')]],
  ['name~=|a/b|', [sel(['name'], '~=', 'a/b')]],
  ['name~=/\\\\w/', [sel(['name'], '~=', '\\w')]],
  ['name~=""', [sel(['name'], '~=', '')]],
  ['name==""', [sel(['name'], '==', '')]],
  // §b.3 whitespace is skipped before a token
  [' name', [sel(['name'])]],
  ['name == bar', [sel(['name'], '==', 'bar')]],
  ['name==bar, labels.x', [sel(['name'], '==', 'bar'), sel(['labels', 'x'])]],
  ['name==bar,\tlabels.x', [sel(['name'], '==', 'bar'), sel(['labels', 'x'])]],
  ['labels. x', [sel(['labels', 'x'])]],
  ['name\u3000==\u00a0bar', [sel(['name'], '==', 'bar')]], // unicode spaces count
  ['name==\u200bbar', [sel(['name'], '==', '\u200bbar')]], // U+200B is a format char, not a space
]

const P = 'filters: parse error: '

const errors: [input: string, message: string][] = [
  // §b.1 fieldpaths
  ['labels.foo-bar==x', `${P}[labels.foo >|-|< bar==x]: expected an operator ("=="|"!="|"~=")`],
  ['labels.ns/key==v', `${P}[labels.ns >|/|< key==v]: quoted literal not terminated`],
  ['labels.containerd.io/gc.root', `${P}[labels.containerd.io >|/|< gc.root]: quoted literal not terminated`],
  ['labels.a:b', `${P}[labels.a >|:|< b]: expected an operator ("=="|"!="|"~=")`],
  ['==foo', `${P}[ >|=|< =foo]: expected field or quoted`],
  ['.foo', `${P}[ >|.|< foo]: expected field or quoted`],
  ['labels.', `${P}[labels.]: expected field or quoted`],
  ['labels..x', `${P}[labels. >|.|< x]: expected field or quoted`],
  ['name,', `${P}[name,]: expected field or quoted`],
  [',name', `${P}[ >|,|< name]: expected field or quoted`],
  ['a,,b', `${P}[a, >|,|< b]: expected field or quoted`],
  ['labels./x/', `${P}[labels. >|/|< x/]: invalid quote encountered`],
  ['labels.|x|', `${P}[labels. >|||< x|]: invalid quote encountered`],
  ['-x', `${P}[ >|-|< x]: expected field or quoted`],
  // operators
  ['name=x', `${P}[name >|=|< x]: unsupported operator "="`],
  ['name===x', `${P}[name >|=|< ==x]: unsupported operator "==="`],
  ['name=~x', `${P}[name >|=|< ~x]: unsupported operator "=~"`],
  ['name!x', `${P}[name >|!|< x]: unsupported operator "!"`],
  ['name~x', `${P}[name >|~|< x]: unsupported operator "~"`],
  ['name==!x', `${P}[name >|=|< =!x]: unsupported operator "==!"`],
  ['name?x', `${P}[name >|?|< x]: expected an operator ("=="|"!="|"~=")`],
  // values
  ['name==', `${P}[name==]: expected value or quoted`],
  ['name==,x', `${P}[name== >|,|< x]: expected value or quoted`],
  ['name==.foo', `${P}[name== >|.|< foo]: expected value or quoted`],
  ['labels.env~=.*', `${P}[labels.env~= >|.|< *]: expected value or quoted`],
  ['name== =x', `${P}[name==  >|=|< x]: expected value or quoted`],
  ['name==/x/', `${P}[name== >|/|< x/]: invalid quote encountered`],
  ['name!=|x|', `${P}[name!= >|||< x|]: invalid quote encountered`],
  ['name==/x', `${P}[name== >|/|< x]: quoted literal not terminated`],
  ['name=="x', `${P}[name== >|"|< x]: quoted literal not terminated`],
  ['name=="a\nb"', `${P}[name== >|"|< a\nb"]: quoted literal not terminated`],
  ['name=="\\w"', `${P}[name== >|"|< \\w"]: illegal escape sequence`],
  ['name~=/\\w/', `${P}[name~= >|/|< \\w/]: illegal escape sequence`],
  ['name~=/\\"/', `${P}[name~= >|/|< \\"/]: illegal escape sequence`],
  ['name=="\\', `${P}[name== >|"|< \\]: illegal escape sequence`],
  ['name=="\\x4g"', `${P}[name== >|"|< \\x4g"]: illegal numeric escape sequence`],
  ['name=="\\19"', `${P}[name== >|"|< \\19"]: illegal numeric escape sequence`],
  ['name=="\\400"', `${P}[name== >|"|< \\400"]: unquoting failed: quote syntax error`],
  ['name=="\\UFFFFFFFF"', `${P}[name== >|"|< \\UFFFFFFFF"]: unquoting failed: quote syntax error`],
  ['name=="a"b', `${P}[name=="a" >|b|< ]: unexpected input: b`],
  ['name=="a".b', `${P}[name=="a" >|.|< b]: unexpected input: .`],
  // §b.3 whitespace after a complete selector
  ['name==bar ', `${P}[name==bar >| |< ]: unexpected input:  `],
  ['name==bar ,x', `${P}[name==bar >| |< ,x]: unexpected input:  `],
  ['name ', `${P}[name ]: expected an operator ("=="|"!="|"~=")`],
  ['name ,x', `${P}[name  >|,|< x]: expected an operator ("=="|"!="|"~=")`],
  ['name==bar\n', `${P}[name==bar >|\n|< ]: unexpected input: \n`],
  ['name==', `${P}[name==]: expected value or quoted`],
  ['name==  ', `${P}[name==  ]: expected value or quoted`],
  // NUL and malformed text
  ['a\x00', `${P}[a >|\x00|< ]: unexpected null`], // the operator slot scans the NUL
  ['\x00', `${P}[ >|\x00|< ]: unexpected null`],
  ['a==\x00', `${P}[a== >|\x00|< ]: unexpected null`],
  ['a=="\x00"', `${P}[a== >|"|< \x00"]: unexpected null`],
  ['a==b\x00c', `${P}[a==b >|\x00|< c]: unexpected input: \uFFFD`],
  ['a==\uFFFD', `${P}[a== >|\uFFFD|< \uFFFD\uFFFD]: rune error`],
  // the marker covers one byte, as upstream: a multi-byte character is split
  ['é==x', `${P}[ >|\uFFFD|< \uFFFD==x]: expected field or quoted`],
  ['a=="x"牛', `${P}[a=="x" >|\uFFFD|< \uFFFD\uFFFD]: unexpected input: 牛`],
  ['牛=="x",,', `${P}[ >|\uFFFD|< \uFFFD\uFFFD=="x",,]: expected field or quoted`],
]

describe('filter syntax', () => {
  it.each(parses)('%j parses', (input, selectors) => {
    expect(parseSelectors(input)).toEqual(selectors)
    expect(parse(input).alternatives).toEqual([selectors])
  })

  it.each(errors)('%j fails', (input, message) => {
    let caught: unknown
    try {
      parse(input)
    } catch (e) {
      caught = e
    }
    expect(isKind(caught, 'invalid-argument')).toBe(true)
    expect((caught as Error).message).toBe(message)
  })

  it('parseAll suffixes the parse error as upstream errdefs wrapping does', () => {
    expect(() => parseAll('name==x', 'name==')).toThrow(
      expect.objectContaining({
        kind: 'invalid-argument',
        message: `${P}[name==]: expected value or quoted: invalid argument`,
      }),
    )
  })

  it('rejects a filter that is not a string, as untyped IPC callers might send', () => {
    expect(() => parse(undefined as unknown as string)).toThrow(
      expect.objectContaining({
        kind: 'invalid-argument',
        message: 'filters: a filter must be a string, not undefined',
      }),
    )
    expect(() => parseAll('a', 3 as unknown as string)).toThrow(
      expect.objectContaining({ kind: 'invalid-argument' }),
    )
  })

  it('parseAll fails on any bad element, wherever it is', () => {
    expect(() => parseAll('', 'a,')).toThrow(/invalid argument$/)
    expect(() => parseAll('a,', '')).toThrow(/invalid argument$/)
  })
})
