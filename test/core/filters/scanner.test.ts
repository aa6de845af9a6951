// containerd's pkg/filters scanner_test.go: every token with its UTF-8 byte position, text and (for
// illegal tokens) the scanner's sticky error.
import { describe, expect, it } from 'vitest'
import { Token, tokenize } from '../../../src-main/core/filters'

const { EOF, Quoted, Value, Field, Separator, Operator, Illegal } = Token

type T = [pos: number, token: number, text?: string, err?: string]

const cases: [name: string, input: string, expected: T[]][] = [
  [
    'Field',
    'name',
    [
      [0, Field, 'name'],
      [4, EOF],
    ],
  ],
  [
    'SelectorsWithOperators',
    'name==value,foo!=bar',
    [
      [0, Field, 'name'],
      [4, Operator, '=='],
      [6, Value, 'value'],
      [11, Separator, ','],
      [12, Field, 'foo'],
      [15, Operator, '!='],
      [17, Value, 'bar'],
      [20, EOF],
    ],
  ],
  [
    'SelectorsWithFieldPaths',
    'name==value,labels.foo=value,other.bar~=match',
    [
      [0, Field, 'name'],
      [4, Operator, '=='],
      [6, Value, 'value'],
      [11, Separator, ','],
      [12, Field, 'labels'],
      [18, Separator, '.'],
      [19, Field, 'foo'],
      [22, Operator, '='],
      [23, Value, 'value'],
      [28, Separator, ','],
      [29, Field, 'other'],
      [34, Separator, '.'],
      [35, Field, 'bar'],
      [38, Operator, '~='],
      [40, Value, 'match'],
      [45, EOF],
    ],
  ],
  [
    'RegexpValue',
    'name~=[abc]+,foo=test',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Value, '[abc]+'],
      [12, Separator, ','],
      [13, Field, 'foo'],
      [16, Operator, '='],
      [17, Value, 'test'],
      [21, EOF],
    ],
  ],
  [
    'RegexpEscapedValue',
    'name~=[abc]\\+,foo=test',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Value, '[abc]\\+'],
      [13, Separator, ','],
      [14, Field, 'foo'],
      [17, Operator, '='],
      [18, Value, 'test'],
      [22, EOF],
    ],
  ],
  [
    'RegexpQuotedValue',
    'name~=/[abc]{0,2}/,foo=test',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Quoted, '/[abc]{0,2}/'],
      [18, Separator, ','],
      [19, Field, 'foo'],
      [22, Operator, '='],
      [23, Value, 'test'],
      [27, EOF],
    ],
  ],
  [
    'Cowsay',
    'name~=牛,labels.moo=true',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Value, '牛'],
      [9, Separator, ','],
      [10, Field, 'labels'],
      [16, Separator, '.'],
      [17, Field, 'moo'],
      [20, Operator, '='],
      [21, Value, 'true'],
      [25, EOF],
    ],
  ],
  [
    'CowsayRegexpQuoted',
    'name~=|牛|,labels.moo=true',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Quoted, '|牛|'],
      [11, Separator, ','],
      [12, Field, 'labels'],
      [18, Separator, '.'],
      [19, Field, 'moo'],
      [22, Operator, '='],
      [23, Value, 'true'],
      [27, EOF],
    ],
  ],
  [
    'Escapes',
    'name~="asdf\\n\\tfooo"',
    [
      [0, Field, 'name'],
      [4, Operator, '~='],
      [6, Quoted, '"asdf\\n\\tfooo"'],
      [20, EOF],
    ],
  ],
  [
    'NullInput',
    'foo\x00bar',
    [
      [0, Field, 'foo'],
      [3, Illegal, '', 'unexpected null'],
      [4, Field, 'bar'],
      [7, EOF],
    ],
  ],
  [
    'SpacesChomped',
    'foo = bar    ',
    [
      [0, Field, 'foo'],
      [4, Operator, '='],
      [6, Value, 'bar'],
      [13, EOF],
    ],
  ],
  [
    'ValuesPunctauted',
    'compound.labels==punctuated_value.foo-bar',
    [
      [0, Field, 'compound'],
      [8, Separator, '.'],
      [9, Field, 'labels'],
      [15, Operator, '=='],
      [17, Value, 'punctuated_value.foo-bar'],
      [41, EOF],
    ],
  ],
  [
    'PartialInput',
    'interrupted=',
    [
      [0, Field, 'interrupted'],
      [11, Operator, '='],
      [12, EOF],
    ],
  ],
  [
    'DoubleValue',
    'doublevalue=value value',
    [
      [0, Field, 'doublevalue'],
      [11, Operator, '='],
      [12, Value, 'value'],
      [18, Field, 'value'],
      [23, EOF],
    ],
  ],
  [
    'LeadingWithQuoted',
    '"leading quote".postquote==value',
    [
      [0, Quoted, '"leading quote"'],
      [15, Separator, '.'],
      [16, Field, 'postquote'],
      [25, Operator, '=='],
      [27, Value, 'value'],
      [32, EOF],
    ],
  ],
  [
    'MissingValue',
    'input==,id!=ff',
    [
      [0, Field, 'input'],
      [5, Operator, '=='],
      [7, Separator, ','],
      [8, Field, 'id'],
      [10, Operator, '!='],
      [12, Value, 'ff'],
      [14, EOF],
    ],
  ],
  [
    'QuotedRegexp',
    'input~=/foo\\/bar/,id!=ff',
    [
      [0, Field, 'input'],
      [5, Operator, '~='],
      [7, Quoted, '/foo\\/bar/'],
      [17, Separator, ','],
      [18, Field, 'id'],
      [20, Operator, '!='],
      [22, Value, 'ff'],
      [24, EOF],
    ],
  ],
  [
    'QuotedRegexpAlt',
    'input~=|foo/bar|,id!=ff',
    [
      [0, Field, 'input'],
      [5, Operator, '~='],
      [7, Quoted, '|foo/bar|'],
      [16, Separator, ','],
      [17, Field, 'id'],
      [19, Operator, '!='],
      [21, Value, 'ff'],
      [23, EOF],
    ],
  ],
  [
    'IllegalQuoted',
    'labels.containerd.io/key==value',
    [
      [0, Field, 'labels'],
      [6, Separator, '.'],
      [7, Field, 'containerd'],
      [17, Separator, '.'],
      [18, Field, 'io'],
      [20, Illegal, '/key==value', 'quoted literal not terminated'],
      [31, EOF],
    ],
  ],
  [
    'IllegalQuotedWithNewLine',
    'labels."containerd.io\nkey"==value',
    [
      [0, Field, 'labels'],
      [6, Separator, '.'],
      [7, Illegal, '"containerd.io\n', 'quoted literal not terminated'],
      [22, Field, 'key'],
      [25, Illegal, '"==value', 'quoted literal not terminated'],
      [33, EOF],
    ],
  ],
  [
    'IllegalEscapeSequence',
    'labels."\\g"',
    [
      [0, Field, 'labels'],
      [6, Separator, '.'],
      [7, Illegal, '"\\g"', 'illegal escape sequence'],
      [11, EOF],
    ],
  ],
  [
    'IllegalNumericEscapeSequence',
    'labels."\\xaz"',
    [
      [0, Field, 'labels'],
      [6, Separator, '.'],
      [7, Illegal, '"\\xaz"', 'illegal numeric escape sequence'],
      [13, EOF],
    ],
  ],
  // Beyond upstream's table: characters that are neither field runes nor operators outside a value stand
  // for themselves, and a literal U+FFFD is the illegal "rune error", as Go decodes it.
  [
    'StrayCharacter',
    'a?b',
    [
      [0, Field, 'a'],
      [1, '?'.codePointAt(0)!, ''],
      [2, Field, 'b'],
      [3, EOF],
    ],
  ],
  [
    'ReplacementCharacter',
    '\uFFFD',
    [
      [0, Illegal, '', 'rune error'],
      [3, EOF],
    ],
  ],
  [
    'LoneSurrogateIsRuneError',
    'a\uD800',
    [
      [0, Field, 'a'],
      [1, Illegal, '', 'rune error'],
      [4, EOF],
    ],
  ],
  [
    'UnterminatedEscapeAtEnd',
    '"\\',
    [
      [0, Illegal, '"\\', 'illegal escape sequence'],
      [2, EOF],
    ],
  ],
  [
    'OctalEscapeAcceptedByScanner',
    '"\\777"',
    [
      [0, Quoted, '"\\777"'],
      [6, EOF],
    ],
  ],
  ['EmptyInput', '', [[0, EOF]]],
  ['OnlySpaces', ' \t\n', [[3, EOF]]],
]

describe('scanner (upstream scanner_test.go)', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    const want = expected.map(([pos, token, text = '', err]) =>
      err === undefined ? { pos, token, text } : { pos, token, text, err },
    )
    expect(tokenize(input)).toEqual(want)
  })
})
