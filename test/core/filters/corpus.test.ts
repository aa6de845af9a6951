// containerd's pkg/filters filter_test.go, case for case. Expected results are corpus indices because
// the corpus has duplicate names.
import { describe, expect, it } from 'vitest'
import { parse, type Adaptor } from '../../../src-main/core/filters'

interface Entry {
  name: string
  other?: string
  labels?: Record<string, string>
}

const corpus: Entry[] = [
  { name: 'foo', labels: { foo: 'true' } },
  { name: 'bar' },
  { name: 'foo', labels: { foo: 'present', 'more complex label': 'present' } },
  { name: 'bar', labels: { bar: 'true' } },
  { name: 'fooer', labels: { 'more complex label with \\ and "': 'present' } },
  { name: 'fooer', labels: { 'more complex label with \\ and ".post': 'present' } },
  { name: 'baz', other: 'too complex, yo' },
  { name: 'bazo', other: 'abc' },
  { name: 'compound', labels: { foo: 'omg_asdf.asdf-qwer' } },
]

// The upstream test's adaptor: scalar fields are present when non-empty; labels join the rest of the path.
function adapt(e: Entry): Adaptor {
  return (fieldpath) => {
    switch (fieldpath[0]) {
      case 'name':
        return e.name || undefined
      case 'other':
        return e.other || undefined
      case 'labels':
        return e.labels?.[fieldpath.slice(1).join('.')]
    }
    return undefined
  }
}

const all = corpus.map((_, i) => i)

const matching: [name: string, input: string, expected: number[]][] = [
  ['Empty', '', all],
  ['Present', 'name', all],
  ['LabelPresent', 'labels.foo', [0, 2, 8]],
  ['NameAndLabelPresent', 'labels.foo,name', [0, 2, 8]],
  ['LabelValue', 'labels.foo==true', [0]],
  ['LabelValuePunctuated', 'labels.foo==omg_asdf.asdf-qwer', [8]],
  ['Name', 'name==bar', [1, 3]],
  ['NameNotEqual', 'name!=bar', [0, 2, 4, 5, 6, 7, 8]],
  ['NameAndLabelPresent (value)', 'name==bar,labels.bar', [3]],
  ['QuotedValue', 'other=="too complex, yo"', [6]],
  ['RegexpValue', 'other~=[abc]+,name!=foo', [6, 7]],
  ['RegexpQuotedValue', 'other~=/[abc]+/,name!=foo', [6, 7]],
  ['RegexpQuotedValue (repeat)', 'other~=/[abc]{1,2}/,name!=foo', [6, 7]],
  ['RegexpQuotedValueGarbage', 'other~=/[abc]{0,1}"\\//,name!=foo', []],
  ['NameAndLabelValue', 'name==bar,labels.bar==true', [3]],
  ['NameAndLabelValueNoMatch', 'name==bar,labels.bar==wrong', []],
  ['LabelQuotedFieldPathPresent', 'name==foo,labels."more complex label"', [2]],
  ['LabelQuotedFieldPathPresentWithQuoted', 'labels."more complex label with \\\\ and \\""==present', [4]],
  [
    'LabelQuotedFieldPathPresentWithQuotedEmbed',
    'labels."more complex label with \\\\ and \\"".post==present',
    [5],
  ],
]

const failing: [name: string, input: string, message: string][] = [
  [
    'LabelValueNoAltQuoting',
    'labels.|foo|==omg_asdf.asdf-qwer',
    'filters: parse error: [labels. >|||< foo|==omg_asdf.asdf-qwer]: invalid quote encountered',
  ],
  [
    'LabelQuotedFieldPathPresentWithQuotedEmbedInvalid',
    'labels.?"more complex label with \\\\ and \\"".post==present',
    'filters: parse error: [labels. >|?|< "more complex label with \\\\ and \\"".post==present]: expected field or quoted',
  ],
  ['TrailingComma', 'name==foo,', 'filters: parse error: [name==foo,]: expected field or quoted'],
  ['TrailingFieldSeparator', 'labels.', 'filters: parse error: [labels.]: expected field or quoted'],
  [
    'MissingValue',
    'image~=,id?=?fbaq',
    'filters: parse error: [image~= >|,|< id?=?fbaq]: expected value or quoted',
  ],
  [
    'FieldQuotedLiteralNotTerminated',
    'labels.ns/key==value',
    'filters: parse error: [labels.ns >|/|< key==value]: quoted literal not terminated',
  ],
  [
    'ValueQuotedLiteralNotTerminated',
    'labels.key==/value',
    'filters: parse error: [labels.key== >|/|< value]: quoted literal not terminated',
  ],
]

describe('filters corpus (upstream filter_test.go)', () => {
  it.each(matching)('%s: %s', (_name, input, expected) => {
    const f = parse(input)
    const got = corpus.flatMap((e, i) => (f.match(adapt(e)) ? [i] : []))
    expect(got).toEqual(expected)
  })

  it.each(failing)('%s: %s', (_name, input, message) => {
    expect(() => parse(input)).toThrow(expect.objectContaining({ kind: 'invalid-argument', message }))
  })
})
