// Filter fields are looked up as own properties everywhere: field names that are Object.prototype keys
// (`target.constructor`, `labels.__proto__`) are ordinary absent fields, or ordinary label keys, never
// a prototype member, and never raw text in SQL. Random field paths (prototype keys among them) go
// through the image store's SQL pushdown, the app's image and content lists, and the content store's
// Walk, and each must answer exactly what a plain model of containerd's adaptors answers.
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RE2JS } from 're2js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBlob } from '../../../src-main/core/content/store'
import type { ImageInput } from '../../../src-main/core/images/store'
import { openBerth, type Berth } from '../../../src-main/service/berth'
import { listContent } from '../../../src-main/service/content'
import { listImages } from '../../../src-main/service/images-list'
import { digestOf } from '../../../src-main/core/digest'

const NS = 'default'
const PROTO_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']
/** Own keys that are prototype names: made with JSON.parse, as an object literal would set the prototype. */
const protoLabels = (v: string): Record<string, string> =>
  JSON.parse(JSON.stringify(Object.fromEntries(PROTO_KEYS.map((k) => [k, `${k}-${v}`]))))

let dir: string
let b: Berth
const images: ImageInput[] = []
const blobs: { digest: string; size: number; labels: Record<string, string> }[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-fields-'))
  b = openBerth({ root: dir })
  for (let i = 0; i < 6; i++) {
    const labels = { ...(i % 2 ? protoLabels(String(i)) : {}), env: i % 3 ? 'prod' : 'dev', 'a.b': `ab${i}` }
    const annotations = i % 3 === 1 ? protoLabels(`ann${i}`) : { k: `v${i}` }
    const img: ImageInput = {
      name: `docker.io/library/app${i}:${i}`,
      labels,
      target: { mediaType: `m/t${i % 2}`, digest: digestOf(`t${i % 4}`), size: 10 + i, annotations },
    }
    images.push(img)
    b.images.create(NS, img)
    const data = Buffer.from(`blob ${i}`)
    const digest = digestOf(data)
    const desc = { mediaType: 'application/octet-stream', digest, size: data.length }
    await writeBlob(b.content, NS, `b${i}`, data, desc, { labels })
    blobs.push({ digest, size: data.length, labels })
  }
})
afterAll(() => {
  b?.close()
  rmSync(dir, { recursive: true, force: true })
})

// ---- the model: containerd's adaptors written plainly, over Maps (no prototype anywhere) ----

type Field = (path: string[]) => string | undefined
const own = (m: Record<string, string> | undefined, key: string) =>
  m !== undefined && Object.keys(m).length > 0 && new Map(Object.entries(m)).has(key)
    ? new Map(Object.entries(m)).get(key)
    : undefined

function imageField(img: ImageInput): Field {
  return (p) => {
    if (p[0] === 'name') return img.name || undefined
    if (p[0] === 'target' && p[1] === 'digest') return img.target.digest || undefined
    if (p[0] === 'target' && p[1] === 'mediatype') return img.target.mediaType || undefined
    if (p[0] === 'labels') return own(img.labels, p.slice(1).join('.'))
    if (p[0] === 'annotations') return own(img.target.annotations, p.slice(1).join('.'))
    return undefined
  }
}

function contentField(c: (typeof blobs)[number], withSize: boolean): Field {
  return (p) => {
    if (p[0] === 'digest') return c.digest
    if (withSize && p[0] === 'size') return String(c.size)
    if (p[0] === 'labels' && p.length > 1) return own(c.labels, p.slice(1).join('.'))
    return undefined
  }
}

interface Sel {
  path: string[]
  op: '' | '==' | '!=' | '~='
  value: string
}

function holds(sel: Sel, f: Field): boolean {
  const v = f(sel.path)
  if (sel.op === '') return v !== undefined
  if (sel.op === '==') return v !== undefined && v === sel.value
  if (sel.op === '!=') return (v ?? '') !== sel.value
  return RE2JS.compile(sel.value)
    .matcher(v ?? '')
    .find()
}

const matches = (alternatives: Sel[][], f: Field) =>
  alternatives.some((sels) => sels.every((s) => holds(s, f)))

// ---- filter text: every field quoted, so any string is a valid field ----

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
function selText(s: Sel): string {
  const path = s.path.map(quote).join('.')
  if (s.op === '') return path
  if (s.op === '~=') return `${path}~=/${s.value}/`
  return `${path}${s.op}${quote(s.value)}`
}

const WORDS = [
  ...PROTO_KEYS,
  'name',
  'target',
  'digest',
  'mediatype',
  'labels',
  'annotations',
  'size',
  'env',
  'a',
  'b',
  'a.b',
  'k',
  '',
]
const fieldArb = fc.oneof(
  { arbitrary: fc.constantFrom(...WORDS), weight: 5 },
  // Control characters would end or break a quoted field; everything else is fair.
  fc.string({ maxLength: 6 }).filter((s) => [...s].every((c) => c >= ' ' && c !== '\x7f')),
)
const pathArb = fc.oneof(
  fc.array(fieldArb, { minLength: 1, maxLength: 4 }),
  fc
    .tuple(fc.constantFrom('labels', 'annotations', 'target'), fc.constantFrom(...PROTO_KEYS))
    .map((t) => [...t]),
)
const valueArb = fc.oneof(
  fc.constantFrom('prod', 'dev', 'ab1', '', 'm/t1', 'constructor-1', '__proto__-3', 'v0', digestOf('t1')),
  fc.constantFrom(...blobs.map((x) => x.digest), 'x'),
)
const selArb: fc.Arbitrary<Sel> = fc.oneof(
  fc.record({
    path: pathArb,
    op: fc.constantFrom('' as const, '==' as const, '!=' as const),
    value: valueArb,
  }),
  fc.record({
    path: pathArb,
    op: fc.constant('~=' as const),
    value: fc.constantFrom('prod', '^d', '1$', '.', '^$', '(?i)PROTO', 'constructor'),
  }),
)
const filterArb = fc.array(fc.array(selArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })

describe('prototype keys as filter fields', () => {
  it('target.constructor, target.__proto__ and friends are absent fields, not SQL and not the prototype', () => {
    for (const k of PROTO_KEYS) {
      expect(b.images.list(NS, `target.${k}==x`)).toEqual([])
      expect(b.images.list(NS, `target.${k}`)).toEqual([])
      expect(b.images.list(NS, `target.${k}~=/./`)).toEqual([])
      expect(b.images.list(NS, `target.${k}!=x`)).toHaveLength(images.length)
      expect(b.images.list(NS, `${k}==x`)).toEqual([])
    }
  })

  it('labels and annotations named like prototype keys are ordinary keys', () => {
    const odd = images.filter((_, i) => i % 2).map((i) => i.name)
    expect(b.images.list(NS, 'labels.__proto__').map((i) => i.name)).toEqual(odd)
    expect(b.images.list(NS, 'labels.constructor==constructor-1').map((i) => i.name)).toEqual([
      images[1].name,
    ])
    expect(b.images.list(NS, 'annotations.toString~=ann4').map((i) => i.name)).toEqual([images[4].name])
    expect(b.images.get(NS, images[1].name).labels).toEqual(images[1].labels)
  })
})

describe('random field paths agree with the model', () => {
  const names = (xs: { name: string }[]) => xs.map((x) => x.name)

  it('image store list (SQL pushdown, then the filter)', () => {
    fc.assert(
      fc.property(filterArb, (alts) => {
        const want = images.filter((img) => matches(alts, imageField(img))).map((i) => i.name)
        expect(names(b.images.list(NS, ...alts.map((sels) => sels.map(selText).join(','))))).toEqual(want)
      }),
      { numRuns: 300 },
    )
  })

  it("the app's image list and content list", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(selArb, { minLength: 1, maxLength: 3 }), async (sels) => {
        const filter = sels.map(selText).join(',')
        const page = await listImages(b, { namespace: NS, filter, limit: 100 })
        expect(page.filterError).toBeUndefined()
        expect(names(page.items)).toEqual(
          images.filter((i) => matches([sels], imageField(i))).map((i) => i.name),
        )
        const content = await listContent(b, { namespace: NS, filter, limit: 100 })
        const wantDigests = blobs.filter((c) => matches([sels], contentField(c, true))).map((c) => c.digest)
        expect(content.items.map((c) => c.digest)).toEqual([...wantDigests].sort())
      }),
      { numRuns: 150 },
    )
  })

  it('content store Walk', async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, async (alts) => {
        const seen: string[] = []
        await b.content.walk(
          NS,
          (info) => void seen.push(info.digest),
          ...alts.map((s) => s.map(selText).join(',')),
        )
        const want = blobs.filter((c) => matches(alts, contentField(c, false))).map((c) => c.digest)
        expect(seen).toEqual([...want].sort())
      }),
      { numRuns: 150 },
    )
  })
})
