// Matching (containerd-semantics.md §b.4): presence, equality, inequality with absent fields reading as
// "", and RE2 searches; plus ParseAll's OR and the adaptor helpers.
import { describe, expect, it } from 'vitest'
import {
  adapt,
  checkMap,
  matchesEverything,
  matchValue,
  parse,
  parseAll,
  regexpSearch,
  type Adaptor,
} from '../../../src-main/core/filters'

// An object with one field `f`: undefined means absent.
const obj =
  (value: string | undefined): Adaptor =>
  (fp) =>
    fp.length === 1 && fp[0] === 'f' ? value : undefined

// [filter, value of f (undefined = absent), expected]
const table: [string, string | undefined, boolean][] = [
  ['f', 'x', true],
  ['f', '', true], // present though empty
  ['f', undefined, false],
  ['f==x', 'x', true],
  ['f==x', 'X', false], // case-sensitive
  ['f==x', 'xx', false],
  ['f==x', undefined, false],
  ['f==""', '', true],
  ['f==""', undefined, false], // == needs presence
  ['f!=x', 'y', true],
  ['f!=x', 'x', false],
  ['f!=x', undefined, true], // absent reads as ""
  ['f!=""', undefined, false],
  ['f!=""', '', false],
  ['f!=""', 'y', true],
  ['f~=x', 'axb', true], // unanchored search
  ['f~=^x$', 'axb', false],
  ['f~=^x$', 'x', true],
  ['f~=x', undefined, false],
  ['f~=^$', undefined, true], // an absent field is searched as ""
  ['f~=""', undefined, true],
  ['f~=//', 'anything', true],
  ['f~=(?i)FOO', 'a foo', true],
  ['f~=FOO', 'a foo', false],
  ['f~=/(?i)^é$/', 'É', true],
  ['f~=\\pL+', '牛', true],
  ['f~=^\\p{Greek}+$', 'αβγ', true],
  ['f~=^[[:alpha:]]+$', 'abc', true],
  ['f~=^.$', '牛', true], // . is a code point
  ['f~=^.$', '😀', true],
  ['f~=^fo\\w+$', 'foo_1', true],
  ['f~=(?P<n>a)', 'a', true],
  ['f~=a.b', 'a\nb', false], // . excludes newline unless (?s)
  ['f~=(?s)a.b', 'a\nb', true],
  ['f~=(?m)^b$', 'a\nb', true],
  ['f~=\\Aab\\z', 'ab', true],
  // Patterns RE2 rejects never match, whatever the value; they are not parse errors.
  ['f~=(', '(', false],
  ['f~=[a', '[a', false],
  ['f~=a{1001}', 'a'.repeat(1001), false],
  ['f~=(a)\\1', 'aa', false], // back-references are JS-only
  ['f~=a(?=b)', 'ab', false], // so is lookahead
  ['f~=(?<=a)b', 'ab', false], // and lookbehind
  ['f~=\\Z', '', false],
  ['f~=x*+', 'x', false],
  // Selectors combine with AND.
  ['f,f==x', 'x', true],
  ['f,f==x', 'y', false],
  ['f!=a,f!=b', 'c', true],
  ['f!=a,f!=b', 'b', false],
]

describe('matching', () => {
  it.each(table)('%s against %j is %s', (filter, value, expected) => {
    expect(parse(filter).match(obj(value))).toBe(expected)
  })

  it('fieldpaths reach the adaptor whole, quoted parts unsplit', () => {
    const seen: string[][] = []
    parse('labels."a.b".c,x').match((fp) => {
      seen.push(fp)
      return 'v'
    })
    expect(seen).toEqual([['labels', 'a.b', 'c'], ['x']])
  })

  it('an adaptor cannot alter the parsed filter', () => {
    const f = parse('a.b==v')
    f.match((fp) => {
      fp.push('mutated')
      return undefined
    })
    expect(f.alternatives[0][0].fieldpath).toEqual(['a', 'b'])
  })

  it('matchValue and regexpSearch evaluate selectors outside match()', () => {
    expect(matchValue({ fieldpath: ['f'], operator: '!=', value: 'x' }, undefined)).toBe(true)
    expect(matchValue({ fieldpath: ['f'], operator: '', value: '' }, '')).toBe(true)
    expect(regexpSearch('(?i)ab')('xAB')).toBe(true)
    expect(regexpSearch('(')('(')).toBe(false)
  })

  it('searches linearly: a pattern that makes backtracking engines explode finishes', () => {
    const evil = 'a'.repeat(50_000) + '!'
    expect(parse('f~=(a+)+$').match(obj(evil))).toBe(false)
    expect(parse('f~=(a+)+!$').match(obj(evil))).toBe(true)
    expect(parse('f~=^(a+)+$').match(obj(evil))).toBe(false)
    expect(parse('f~=/^(a|aa)+$/').match(obj(evil))).toBe(false)
    expect(parse('f~=/^(a*)*b$/').match(obj(evil))).toBe(false)
  })
})

describe('parse and parseAll results', () => {
  const x: Adaptor = (fp) => (fp[0] === 'name' ? 'x' : undefined)
  const y: Adaptor = (fp) => (fp[0] === 'name' ? 'y' : undefined)
  const none: Adaptor = () => undefined

  const cases: [name: string, ss: string[], x: boolean, y: boolean, none: boolean, all: boolean][] = [
    ['no strings match everything', [], true, true, true, true],
    ['"" matches everything', [''], true, true, true, true],
    ['one filter', ['name==x'], true, false, false, false],
    ['OR of filters', ['name==x', 'name==y'], true, true, false, false],
    ['any "" matches everything', ['name==x', ''], true, true, true, true],
    ['"" first', ['', 'name==x'], true, true, true, true],
    ['AND inside, OR across', ['name==x,name==y', 'name'], true, true, false, false],
    ['a filter that matches nothing', ['name==x,name==y'], false, false, false, false],
  ]

  it.each(cases)('%s', (_name, ss, mx, my, mnone, all) => {
    const f = parseAll(...ss)
    expect([f.match(x), f.match(y), f.match(none)]).toEqual([mx, my, mnone])
    expect(matchesEverything(f)).toBe(all)
  })

  it('exposes the OR of ANDs', () => {
    expect(parseAll('a==1,b', 'c~=/x/').alternatives).toEqual([
      [
        { fieldpath: ['a'], operator: '==', value: '1' },
        { fieldpath: ['b'], operator: '', value: '' },
      ],
      [{ fieldpath: ['c'], operator: '~=', value: 'x' }],
    ])
    expect(parseAll().alternatives).toEqual([[]])
    expect(parse('').alternatives).toEqual([[]])
  })
})

describe('adaptors', () => {
  const image = adapt({
    fields: {
      name: 'docker.io/library/busybox:latest',
      'target.digest': 'sha256:abc',
      'target.mediatype': '',
    },
    maps: { labels: { 'containerd.io/gc.root': 'now', 'a.b': 'dotted' }, annotations: {} },
  })

  const cases: [filter: string, expected: boolean][] = [
    ['name', true],
    ['name~=busybox', true],
    ['target.digest==sha256:abc', true],
    ['"target.digest"', false], // one quoted field is not the path target.digest
    ['target', false],
    ['target.mediatype', false], // '' is absent
    ['target.mediatype!=x', true],
    ['labels."containerd.io/gc.root"', true],
    ['labels.a.b==dotted', true], // map keys are the rest of the path joined with '.'
    ['labels."a.b"==dotted', true],
    ['labels', false], // the key '' is not set
    ['annotations.x', false],
    ['other', false],
  ]

  it.each(cases)('%s is %s', (filter, expected) => {
    expect(parse(filter).match(image)).toBe(expected)
  })

  it('checkMap joins the path and finds only own keys', () => {
    expect(checkMap(['a', 'b'], { 'a.b': 'v' })).toBe('v')
    expect(checkMap([], { '': 'empty key' })).toBe('empty key')
    expect(checkMap(['toString'], {})).toBeUndefined()
    expect(checkMap(['x'], undefined)).toBeUndefined()
  })

  it('an empty fieldpath is absent', () => {
    expect(image([])).toBeUndefined()
  })
})
