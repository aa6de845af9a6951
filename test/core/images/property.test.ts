// 100 random operation scripts against the real store and a small in-memory model of §a's rules.
// After every step both must agree on the outcome (value or error kind) and on every namespace's list.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBerthError } from '../../../src-main/core/errors'
import type { Image, ImageInput } from '../../../src-main/core/images/store'
import type { Descriptor } from '../../../src-main/core/oci'
import { dgst, openEnv } from './helpers'

type Rec = { labels: Map<string, string>; target: Descriptor; createdAt: number; updatedAt: number }
type Outcome = { ok: Image | Image[] | null } | { err: string }

const NAMESPACES = ['default', 'default', 'default', 'default', 'other', 'other', '']
const NAMES = ['a', 'B', 'b', 'é', 'a.b', '名', 'a', 'b', 'a', 'b', '']
const KEYS = ['env', 'env', 'a.b', '', 'containerd.io/gc.root', 'big']
const VALUES = ['prod', 'dev', '', 'x']
const DIGESTS = [dgst(1), dgst(2), 'sha256:bad', '']
const FILTERS: [string, (i: Image) => boolean][] = [
  ['labels.env==prod', (i) => i.labels.env === 'prod'],
  ['labels.env', (i) => Object.hasOwn(i.labels, 'env')],
  ['labels."a.b"!=x', (i) => i.labels['a.b'] !== 'x'],
  ['name==a', (i) => i.name === 'a'],
  ['name~=^[a-z]', (i) => /^[a-z]/.test(i.name)],
  [`target.digest==${dgst(1)}`, (i) => i.target.digest === dgst(1)],
  ['labels', (i) => Object.hasOwn(i.labels, '')],
]

/** Valid values nine times in ten, so scripts get far enough to build state. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: bad, weight: 1 })
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 })
const targetArb = fc.record({
  mediaType: mostly(fc.constantFrom('m/t', 'not a media type'), fc.constant('')),
  digest: mostly(fc.constantFrom(dgst(1), dgst(2)), fc.constantFrom('sha256:bad', '')),
  size: mostly(fc.constantFrom(1, 7), fc.constantFrom(0, -1)),
  annotations: fc.dictionary(fc.constantFrom('k', 'q'), fc.constantFrom(...VALUES), { maxKeys: 2 }),
})
const inputArb = fc.record({ name: fc.constantFrom(...NAMES), labels: labelsArb, target: targetArb })
// 'big' sits on the 4096-byte boundary: one byte over with value dev, exactly 3 + 4093 bytes otherwise.
const big = (l: Record<string, string>) =>
  Object.hasOwn(l, 'big') && l.big !== '' ? { ...l, big: 'v'.repeat(l.big === 'dev' ? 4094 : 4093) } : l
const opArb = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      ns: fc.constantFrom(...NAMESPACES),
      img: inputArb,
    }),
    weight: 3,
  },
  fc.record({ op: fc.constant('create' as const), ns: fc.constantFrom(...NAMESPACES), img: inputArb }),
  fc.record({
    op: fc.constant('update' as const),
    ns: fc.constantFrom(...NAMESPACES),
    img: inputArb,
    paths: fc.array(
      fc.constantFrom(
        'labels',
        'labels.env',
        'labels.a.b',
        'annotations',
        'annotations.k',
        'target',
        'name',
        'labels.',
      ),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    ns: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
    digest: fc.option(fc.constantFrom(...DIGESTS), { nil: undefined }),
  }),
  fc.record({
    op: fc.constant('get' as const),
    ns: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
  }),
  fc.record({
    op: fc.constant('list' as const),
    ns: fc.constantFrom(...NAMESPACES),
    f: fc.array(fc.nat(FILTERS.length - 1), { maxLength: 2 }),
  }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.nat(3) }),
)

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The model: §a written as plainly as possible. */
class Model {
  data = new Map<string, Map<string, Rec>>()
  constructor(public clock: { ms: number }) {}
  private ns(ns: string): Map<string, Rec> {
    if (ns === '') throw 'failed-precondition'
    let m = this.data.get(ns)
    if (!m) this.data.set(ns, (m = new Map()))
    return m
  }
  private validate(name: string, labels: Map<string, string>, t: Descriptor): void {
    if (name === '') throw 'invalid-argument'
    for (const [k, v] of labels) if (bytes(k) + bytes(v) > 4096) throw 'invalid-argument'
    const ok =
      /^sha256:[0-9a-f]{64}$/.test(t?.digest ?? '') && (t?.size ?? 0) > 0 && (t?.mediaType ?? '') !== ''
    if (!ok) throw 'invalid-argument'
  }
  private view(name: string, r: Rec): Image {
    const ann = Object.entries(r.target.annotations ?? {}).filter(([, v]) => v !== '')
    const target: Descriptor = { mediaType: r.target.mediaType, digest: r.target.digest, size: r.target.size }
    if (ann.length) target.annotations = Object.fromEntries(ann)
    const labels = Object.fromEntries([...r.labels].filter(([, v]) => v !== ''))
    return { name, labels, target, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }
  }
  create(ns: string, img: ImageInput): Image {
    const m = this.ns(ns)
    const labels = new Map(Object.entries(img.labels))
    this.validate(img.name, labels, img.target)
    if (m.has(img.name)) throw 'already-exists'
    const r = { labels, target: img.target, createdAt: this.clock.ms, updatedAt: this.clock.ms }
    m.set(img.name, r)
    return this.view(img.name, r)
  }
  update(ns: string, img: ImageInput, paths: string[]): Image {
    const m = this.ns(ns)
    if (img.name === '') throw 'invalid-argument'
    const old = m.get(img.name)
    if (!old) throw 'not-found'
    const cur = this.view(img.name, old)
    let labels = new Map(Object.entries(cur.labels))
    let target: Descriptor = { ...cur.target }
    let ann = new Map(Object.entries(cur.target.annotations ?? {}))
    if (paths.length === 0) {
      labels = new Map(Object.entries(img.labels))
      target = img.target
      ann = new Map(Object.entries(img.target.annotations ?? {}))
    }
    for (const p of paths) {
      if (p.startsWith('labels.')) labels.set(p.slice(7), img.labels[p.slice(7)] ?? '')
      else if (p.startsWith('annotations.')) ann.set(p.slice(12), img.target.annotations?.[p.slice(12)] ?? '')
      else if (p === 'labels') labels = new Map(Object.entries(img.labels))
      else if (p === 'annotations') ann = new Map(Object.entries(img.target.annotations ?? {}))
      else if (p === 'target') {
        target = img.target
        ann = new Map(Object.entries(img.target.annotations ?? {}))
      } else throw 'invalid-argument'
    }
    this.validate(img.name, labels, target)
    const r = {
      labels,
      target: { ...target, annotations: Object.fromEntries(ann) },
      createdAt: old.createdAt,
      updatedAt: Math.max(this.clock.ms, old.updatedAt + 1),
    }
    m.set(img.name, r)
    return this.view(img.name, r)
  }
  delete(ns: string, name: string, digest?: string): null {
    const m = this.ns(ns)
    const r = m.get(name)
    if (!r) throw 'not-found'
    if (digest && r.target.digest !== digest) throw 'not-found'
    m.delete(name)
    return null
  }
  get(ns: string, name: string): Image {
    const r = this.ns(ns).get(name)
    if (!r) throw 'not-found'
    return this.view(name, r)
  }
  list(ns: string, preds: ((i: Image) => boolean)[]): Image[] {
    const all = [...this.ns(ns)].sort(([a], [b]) => byteOrder(a, b)).map(([n, r]) => this.view(n, r))
    return preds.length === 0 ? all : all.filter((i) => preds.some((p) => p(i)))
  }
}

function outcome(fn: () => Image | Image[] | null | void): Outcome {
  try {
    return { ok: fn() ?? null }
  } catch (e) {
    if (typeof e === 'string') return { err: e }
    if (isBerthError(e)) return { err: e.kind }
    throw e
  }
}

describe('image store vs model', () => {
  it('agrees on 100 random scripts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 60 }), (script) => {
        const env = openEnv('memory')
        const model = new Model(env.clock)
        try {
          for (const step of script) {
            let real: Outcome
            let want: Outcome
            switch (step.op) {
              case 'tick':
                env.clock.tick(step.ms)
                continue
              case 'create': {
                const img = { ...step.img, labels: big(step.img.labels) }
                real = outcome(() => env.store.create(step.ns, img))
                want = outcome(() => model.create(step.ns, img))
                break
              }
              case 'update': {
                const img = { ...step.img, labels: big(step.img.labels) }
                real = outcome(() => env.store.update(step.ns, img, ...step.paths))
                want = outcome(() => model.update(step.ns, img, step.paths))
                break
              }
              case 'delete': {
                const target = step.digest === undefined ? undefined : { digest: step.digest }
                real = outcome(() => env.store.delete(step.ns, step.name, { target }))
                want = outcome(() => model.delete(step.ns, step.name, step.digest))
                break
              }
              case 'get':
                real = outcome(() => env.store.get(step.ns, step.name))
                want = outcome(() => model.get(step.ns, step.name))
                break
              case 'list':
                real = outcome(() => env.store.list(step.ns, ...step.f.map((i) => FILTERS[i][0])))
                want = outcome(() =>
                  model.list(
                    step.ns,
                    step.f.map((i) => FILTERS[i][1]),
                  ),
                )
                break
            }
            expect(real, JSON.stringify(step)).toEqual(want)
            for (const ns of ['default', 'other']) expect(env.store.list(ns)).toEqual(model.list(ns, []))
          }
          // The per-label rows (the index) and the label objects (what reads use) never diverge.
          const rows = env.db
            .prepare('SELECT namespace, name, key, value FROM image_labels')
            .raw()
            .all() as string[][]
          const fromRows = new Map<string, Record<string, string>>()
          for (const [ns, name, k, v] of rows) {
            const id = `${ns}\0${name}`
            fromRows.set(id, Object.assign(fromRows.get(id) ?? {}, { [k]: v }))
          }
          const maps = env.db
            .prepare('SELECT namespace, name, labels FROM image_label_maps')
            .raw()
            .all() as string[][]
          expect(new Map(maps.map(([ns, name, json]) => [`${ns}\0${name}`, JSON.parse(json)]))).toEqual(
            fromRows,
          )
        } finally {
          env.close()
        }
      }),
      { numRuns: 100 },
    )
  })
})
