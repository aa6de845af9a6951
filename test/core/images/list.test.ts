// List with containerd filters (§a.5, §b.4): results, byte order, and SQL pushdown never changing them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../../src-main/core/errors'
import { parseAll } from '../../../src-main/core/filters'
import { adaptImage, planList } from '../../../src-main/core/images/store-filter'
import type { ImageInput } from '../../../src-main/core/images/store'
import { dgst, image, openEnv, type Env } from './helpers'

const NS = 'default'

describe('containerd TestImagesList', () => {
  let env: Env
  beforeAll(() => {
    env = openEnv('memory')
    for (let i = 0; i < 4; i++) {
      const id = `image-${i}`
      env.store.create(NS, {
        name: id,
        labels: { namelabel: id, even: String(i % 2 === 0), odd: String(i % 2 !== 0) },
        target: {
          size: 10,
          mediaType: 'application/vnd.containerd.test',
          digest: dgst(id),
          annotations: { foo: 'bar' },
        },
      })
    }
  })
  afterAll(() => env.close())
  const cases: [string, string[], string[]][] = [
    ['FullSet', [], ['image-0', 'image-1', 'image-2', 'image-3']],
    [
      'FullSetFiltered',
      ['labels.even==true', 'labels.odd==true'],
      ['image-0', 'image-1', 'image-2', 'image-3'],
    ],
    ['Even', ['labels.even==true'], ['image-0', 'image-2']],
    ['Odd', ['labels.odd==true'], ['image-1', 'image-3']],
    ['ByName', ['name==image-0'], ['image-0']],
    ['ByNameLabelEven', ['labels.namelabel==image-0,labels.even==true'], ['image-0']],
    ['ByMediaType', ['target.mediatype~=application/vnd.*'], ['image-0', 'image-1', 'image-2', 'image-3']],
  ]
  it.each(cases)('%s', (_, filters, want) => {
    expect(env.store.list(NS, ...filters).map((i) => i.name)).toEqual(want)
  })
  it('deletes everything, then NotFound on a second delete', () => {
    for (const i of env.store.list(NS)) {
      env.store.delete(NS, i.name)
      expect(() => env.store.delete(NS, i.name)).toThrow(/not found/)
    }
    expect(env.store.list(NS)).toEqual([])
  })
})

// A corpus exercising every field of the image adaptor.
const corpus: ImageInput[] = [
  image('docker.io/library/alpine:3.20', { labels: { env: 'prod', 'a.b': 'dotted', tier: 'web' } }),
  image('docker.io/library/alpine:edge', { labels: { env: 'dev', 'containerd.io/gc.root': '2026' } }),
  image('ghcr.io/foo/bar:1', { labels: { env: 'prod', '': 'empty-key' } }),
  image('ghcr.io/foo/baz@sha256:' + 'c'.repeat(64), {
    target: {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: dgst('shared'),
      size: 5,
      annotations: { 'org.opencontainers.image.ref.name': '1' },
    },
  }),
  image('localhost:5000/foo-bar', {
    target: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: dgst('shared'),
      size: 5,
    },
  }),
  image('Zeta', { labels: { env: 'PROD' } }),
  image('ünïcode/名前:1', { labels: { env: 'prod', a: 'x' } }),
]
const names = corpus.map((i) => i.name)
const pick = (...idx: number[]) => idx.map((i) => names[i]).sort(byteOrder)
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

describe('filters over a corpus', () => {
  let env: Env
  beforeAll(() => {
    env = openEnv()
    for (const img of corpus) env.store.create(NS, img)
    env.store.create('other', image('ghcr.io/foo/bar:1', { labels: { env: 'prod' } }))
  })
  afterAll(() => env.close())

  const all = [0, 1, 2, 3, 4, 5, 6]
  const cases: [string[], number[]][] = [
    [[], all],
    [[''], all],
    [['name==Zeta', ''], all],
    [['name==Zeta'], [5]],
    [['name==zeta'], []],
    [['name.anything==Zeta'], [5]],
    [['name~=^docker'], [0, 1]],
    [['name~=(?i)zeta'], [5]],
    [['name~="foo"'], [2, 3, 4]],
    [['name~=/ba[rz]/'], [2, 3, 4]],
    [['name!=Zeta'], [0, 1, 2, 3, 4, 6]],
    [['name'], all],
    [['labels.env==prod'], [0, 2, 6]],
    [
      ['labels.env==prod', 'labels.env==PROD'],
      [0, 2, 5, 6],
    ],
    [['labels.env==prod,name~=ghcr'], [2]],
    [['labels.env!=prod'], [1, 3, 4, 5]],
    [['labels.env'], [0, 1, 2, 5, 6]],
    [['labels.env~=^$'], [3, 4]],
    [['labels.a.b==dotted'], [0]],
    [['labels."a.b"==dotted'], [0]],
    [['labels.a'], [6]],
    [['labels'], [2]],
    [['labels==empty-key'], [2]],
    [['labels."containerd.io/gc.root"'], [1]],
    [['target.digest==' + dgst('shared')], [3, 4]],
    [['target.digest.extra==' + dgst('shared')], [3, 4]],
    [['target.digest~=^sha256:'], all],
    [['target.mediatype~=index'], [3]],
    [['target.mediatype==application/vnd.docker.distribution.manifest.v2+json'], [4]],
    [['target'], []],
    [['target.size'], []],
    [['target.size!=1'], all],
    [['createdat'], []],
    [['annotations."org.opencontainers.image.ref.name"==1'], [3]],
    [['annotations.org.opencontainers.image.ref.name'], [3]],
    [['annotations.x!=y'], all],
    [
      ['name==Zeta', 'labels.a==x', 'target.digest==' + dgst('shared')],
      [3, 4, 5, 6],
    ],
    [['labels.env==prod,labels.tier==web'], [0]],
    [['labels.env==prod,labels.tier!=web'], [2, 6]],
    [['name==Zeta,labels.env==prod'], []],
    [['labels.env==""'], []],
    [['name~=[invalid'], []],
    [['name!="~"'], all],
  ]
  it.each(cases.map(([f, w]) => [JSON.stringify(f), f, w] as const))('%s', (_, filters, want) => {
    const got = env.store.list(NS, ...filters).map((i) => i.name)
    expect(got).toEqual(pick(...want))
    expect(env.store.count(NS, ...filters)).toBe(want.length)
  })

  it.each([
    ['name==.foo'],
    ['name!=~'],
    ['labels.env~=.*'],
    ['labels.foo-bar==x'],
    ['labels.ns/key==v'],
    ['name==bar '],
    ['name==x', ','],
    ['==foo'],
  ])('parse error %j is InvalidArgument', (...filters) => {
    let err: unknown
    try {
      env.store.list(NS, ...filters)
    } catch (e) {
      err = e
    }
    expect(isKind(err, 'invalid-argument')).toBe(true)
    expect((err as Error).message).toMatch(/filters: parse error/)
  })

  it('pushdown never changes the result: every case equals a full scan checked by the filter', () => {
    const everything = env.store.list(NS)
    for (const [filters] of cases) {
      const f = parseAll(...filters)
      const brute = everything.filter((i) => f.match(adaptImage(i)))
      expect(env.store.list(NS, ...filters)).toEqual(brute)
    }
  })

  it('pushes equality, presence and literal searches down to SQL, and scans otherwise', () => {
    const where = (...f: string[]) => planList(f).where
    expect(where('name==x')).toBe('AND (i.name = @p0)')
    expect(where('labels.env==prod')).toMatch(/image_labels .*key = @p1 AND value = @p0/)
    expect(where('labels.env')).toMatch(/image_labels/)
    expect(where('target.digest==' + dgst(1))).toBe('AND (i.target_digest = @p0)')
    expect(where('target.mediatype==x')).toBe('AND (i.target_media_type = @p0)')
    expect(where('name~=foo')).toBe('AND (instr(i.name, @p0) > 0)')
    expect(where('labels.env~=pro')).toMatch(/instr\(value, @p0\)/)
    expect(where('name==x', 'labels.a==b')).toMatch(/\) OR \(/)
    expect(where('name==x,labels.a==b')).toMatch(/ AND i.name IN/)
    // An anchored pattern narrows to the range of its literal prefix, in the name or a label's value.
    expect(where('name==x', 'name~=^y')).toBe('AND ((i.name = @p0) OR (i.name >= @p1 AND i.name < @p2))')
    expect(planList(['name~=^docker.io/']).params).toEqual({ p0: 'docker', p1: 'dockes' })
    expect(where('labels.env~=^pro')).toMatch(/value >= @p0 AND value < @p1/)
    for (const scan of [
      ['name~=^(?i)y'],
      ['name~=^y|z'],
      ['name~=^é'],
      ['labels.env!=prod'],
      ['name~=(?i)foo'],
      ['name~=a.b'],
      ['annotations.a==b'],
      ['name'],
    ]) {
      expect(where(...scan), JSON.stringify(scan)).toBe('')
    }
    expect(planList(['name==x', '']).filter).toBeNull()
  })

  it('the pushed-down queries use the indexes, not a scan of the namespace', () => {
    const plan = (f: string) => {
      const p = planList([f])
      const sql = `EXPLAIN QUERY PLAN SELECT i.name FROM images i WHERE i.namespace = @ns ${p.where} ORDER BY i.name`
      return (env.db.prepare(sql).all({ ...p.params, ns: NS }) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ')
    }
    expect(plan('labels.env==prod')).toMatch(/image_labels_by_key/)
    expect(plan('name==Zeta')).toMatch(/SEARCH i USING PRIMARY KEY \(namespace=\? AND name=\?\)/)
    expect(plan('target.digest==' + dgst(1))).toMatch(/images_by_target/)
  })
})

describe('byte order of names', () => {
  it('lists in ascending UTF-8 byte order (upper before lower, unicode last)', () => {
    const env = openEnv()
    const ns = [
      'b',
      'B',
      'a',
      'A',
      '_',
      'Z',
      'z',
      '0',
      '~',
      'é',
      'e',
      'ÿ',
      'Ā',
      '名',
      '😀',
      '\uFFFD',
      'ab',
      'a b',
      'a-b',
      'aB',
      'a\u0301',
      '\u00e1',
      'ﬀ',
      '𝔘',
      'Ω',
    ]
    for (const n of ns) env.store.create(NS, image(n, { labels: { k: n } }))
    const want = [...ns].sort(byteOrder)
    // JS sort by UTF-16 code units differs for astral characters: make sure the test can tell.
    expect([...ns].sort()).not.toEqual(want)
    const got = env.store.list(NS)
    expect(got.map((i) => i.name)).toEqual(want)
    expect(got.map((i) => i.labels.k)).toEqual(want)
    expect(env.store.list(NS, 'labels.k~=/./').map((i) => i.name)).toEqual(want.filter((n) => n.length > 0))
    env.close()
  })
})
