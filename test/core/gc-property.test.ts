// GC over random object graphs, against a fixpoint model of §f written independently of gc-mark's
// tri-colour walk: the same removals, a dry run that predicts them, and nothing left to collect after.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src-main/core/db'
import { digestOf } from '../../src-main/core/digest'
import { gc } from '../../src-main/core/gc'

const T = Date.UTC(2026, 5, 1)
const PAST = '2026-05-31T00:00:00Z'
const FUTURE = '2026-06-02T00:00:00Z'
const NS = ['a', 'b']
const DIGESTS = [0, 1, 2, 3, 4, 5].map((i) => digestOf(String(i)))
const NAMES = ['i0', 'i1', 'i2', 'i3']

type Labels = [string, string][]
interface World {
  content: { ns: string; digest: string; labels: Labels }[]
  images: { ns: string; name: string; target: string; labels: Labels }[]
  leases: { ns: string; id: string; expired: boolean; flat: boolean; res: [string, string][] }[]
  ingests: {
    ns: string
    ref: string
    expected: string | null
    expiresAt: number | null
    lease: string | null
  }[]
}

const digest = fc.constantFrom(...DIGESTS)
const name = fc.constantFrom(...NAMES)
const label: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      'containerd.io/gc.ref.content',
      'containerd.io/gc.ref.content.l.0',
      'containerd.io/gc.ref.contentX',
    ),
    digest,
  ),
  fc.tuple(fc.constantFrom('containerd.io/gc.ref.image', 'containerd.io/gc.ref.image/x'), name),
  fc.tuple(fc.constantFrom('containerd.io/gc.bref.content', 'containerd.io/gc.bref.content.1'), digest),
  fc.tuple(fc.constant('containerd.io/gc.bref.image'), name),
  fc.tuple(fc.constant('containerd.io/gc.root'), fc.constant('x')),
  fc.tuple(fc.constant('containerd.io/gc.expire'), fc.constantFrom(PAST, FUTURE, 'never')),
)
const labels = fc.uniqueArray(label, { maxLength: 3, selector: ([k]) => k })
const world: fc.Arbitrary<World> = fc.record({
  content: fc.uniqueArray(fc.record({ ns: fc.constantFrom(...NS), digest, labels }), {
    maxLength: 10,
    selector: (c) => c.ns + c.digest,
  }),
  images: fc.uniqueArray(
    fc
      .record({
        ns: fc.constantFrom(...NS),
        name,
        target: digest,
        labels,
        expire: fc.constantFrom(PAST, PAST, FUTURE, 'never', ''),
      })
      // Half of the images expired, so leases, references and back references decide their fate.
      .map(({ expire, ...i }) => ({
        ...i,
        labels: [
          ...i.labels.filter(([k]) => k !== 'containerd.io/gc.expire'),
          ...(expire ? [['containerd.io/gc.expire', expire] as [string, string]] : []),
        ],
      })),
    { maxLength: 6, selector: (i) => i.ns + i.name },
  ),
  leases: fc.uniqueArray(
    fc.record({
      ns: fc.constantFrom(...NS),
      id: fc.constantFrom('l0', 'l1', 'l2'),
      expired: fc.boolean(),
      flat: fc.boolean(),
      res: fc.uniqueArray(
        fc.oneof(fc.tuple(fc.constant('content'), digest), fc.tuple(fc.constant('image'), name)),
        {
          maxLength: 3,
          selector: ([k, v]) => k + v,
        },
      ),
    }),
    { maxLength: 3, selector: (l) => l.ns + l.id },
  ),
  ingests: fc.uniqueArray(
    fc.record({
      ns: fc.constantFrom(...NS),
      ref: fc.constantFrom('r0', 'r1', 'r2'),
      expected: fc.option(digest, { nil: null }),
      expiresAt: fc.constantFrom(null, T - 1, T + 1),
      lease: fc.constantFrom(null, 'l0', 'l1'),
    }),
    { maxLength: 3, selector: (i) => i.ns + i.ref },
  ),
})

function load(db: Database, w: World): void {
  for (const c of w.content) {
    db.prepare('INSERT INTO content VALUES (?, ?, 1, 0, 0)').run(c.ns, c.digest)
    for (const [k, v] of c.labels)
      db.prepare('INSERT INTO content_labels VALUES (?, ?, ?, ?)').run(c.ns, c.digest, k, v)
  }
  for (const i of w.images) {
    db.prepare(
      `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, created_at, updated_at)
       VALUES (?, ?, 'm/t', ?, 1, 0, 0)`,
    ).run(i.ns, i.name, i.target)
    for (const [k, v] of i.labels)
      db.prepare('INSERT INTO image_labels VALUES (?, ?, ?, ?)').run(i.ns, i.name, k, v)
  }
  for (const l of w.leases) {
    const labels: Record<string, string> = { 'containerd.io/gc.expire': l.expired ? PAST : FUTURE }
    if (l.flat) labels['containerd.io/gc.flat'] = 'true'
    db.prepare('INSERT INTO leases VALUES (?, ?, ?, 0)').run(l.ns, l.id, JSON.stringify(labels))
    for (const [k, v] of l.res)
      db.prepare('INSERT INTO lease_resources VALUES (?, ?, ?, ?)').run(l.ns, l.id, k, v)
  }
  for (const i of w.ingests) {
    db.prepare(
      'INSERT INTO ingests (namespace, ref, backend_ref, expected, lease, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
    ).run(i.ns, i.ref, `${i.ns}/1/${i.ref}`, i.expected, i.lease, i.expiresAt)
  }
}

const isRef = (key: string, prefix: string) =>
  key === prefix || key.startsWith(prefix + '.') || key.startsWith(prefix + '/')

/** §f as a fixpoint over sets: grow the live sets until nothing changes. */
function model(w: World): string[] {
  const full = new Set<string>() // 'c|ns|digest', 'i|ns|name'
  const flat = new Set<string>()
  const leases = new Set<string>()
  const ingests = new Set<string>()
  const liveLease = (ns: string, id: string | null) =>
    w.leases.some((l) => l.ns === ns && l.id === id && !l.expired)
  for (const l of w.leases.filter((l) => !l.expired)) {
    leases.add(`${l.ns}|${l.id}`)
    for (const [kind, key] of l.res)
      (l.flat ? flat : full).add(`${kind === 'content' ? 'c' : 'i'}|${l.ns}|${key}`)
  }
  const expiredImage = (i: World['images'][number]) =>
    i.labels.some(([k, v]) => k === 'containerd.io/gc.expire' && v === PAST)
  for (const i of w.images) if (!expiredImage(i)) full.add(`i|${i.ns}|${i.name}`)
  for (const c of w.content)
    if (c.labels.some(([k]) => k.startsWith('containerd.io/gc.root'))) full.add(`c|${c.ns}|${c.digest}`)
  for (const i of w.ingests) {
    if (liveLease(i.ns, i.lease) || (i.expiresAt !== null && i.expiresAt >= T))
      ingests.add(`${i.ns}|${i.ref}`)
  }
  for (const l of w.leases.filter((l) => !l.expired)) {
    for (const i of w.ingests)
      if (i.ns === l.ns && l.res.some(([k, v]) => k === 'ingest' && v === i.ref))
        ingests.add(`${i.ns}|${i.ref}`)
  }
  const refs = (ns: string, ls: Labels) => {
    for (const [k, v] of ls) {
      if (isRef(k, 'containerd.io/gc.ref.content')) full.add(`c|${ns}|${v}`)
      if (isRef(k, 'containerd.io/gc.ref.image')) full.add(`i|${ns}|${v}`)
    }
  }
  for (let size = -1; size !== full.size + flat.size;) {
    size = full.size + flat.size
    for (const i of w.images) {
      if (full.has(`i|${i.ns}|${i.name}`)) {
        full.add(`c|${i.ns}|${i.target}`)
        refs(i.ns, i.labels)
      }
      if (flat.has(`i|${i.ns}|${i.name}`)) flat.add(`c|${i.ns}|${i.target}`)
    }
    for (const c of w.content) if (full.has(`c|${c.ns}|${c.digest}`)) refs(c.ns, c.labels)
    for (const i of w.ingests)
      if (ingests.has(`${i.ns}|${i.ref}`) && i.expected) full.add(`c|${i.ns}|${i.expected}`)
    const brefs = (ns: string, ls: Labels) =>
      ls.some(
        ([k, v]) =>
          (isRef(k, 'containerd.io/gc.bref.content') && full.has(`c|${ns}|${v}`)) ||
          (isRef(k, 'containerd.io/gc.bref.image') && full.has(`i|${ns}|${v}`)),
      )
    for (const c of w.content) if (brefs(c.ns, c.labels)) full.add(`c|${c.ns}|${c.digest}`)
    for (const i of w.images) if (expiredImage(i) && brefs(i.ns, i.labels)) full.add(`i|${i.ns}|${i.name}`)
  }
  const live = (k: string) => full.has(k) || flat.has(k)
  return [
    ...w.leases.filter((l) => !leases.has(`${l.ns}|${l.id}`)).map((l) => `lease ${l.ns} ${l.id}`),
    ...w.ingests.filter((i) => !ingests.has(`${i.ns}|${i.ref}`)).map((i) => `ingest ${i.ns} ${i.ref}`),
    ...w.content.filter((c) => !live(`c|${c.ns}|${c.digest}`)).map((c) => `content ${c.ns} ${c.digest}`),
    ...w.images.filter((i) => !live(`i|${i.ns}|${i.name}`)).map((i) => `image ${i.ns} ${i.name}`),
  ].sort()
}

describe('gc vs a fixpoint model', () => {
  it('removes what the model says, predicts it in a dry run, and leaves a fixpoint', () => {
    fc.assert(
      fc.property(world, (w) => {
        const db = openDatabase(':memory:')
        try {
          load(db, w)
          const now = () => new Date(T)
          const got = (r: ReturnType<typeof gc>) =>
            r.removed.map((x) => `${x.kind} ${x.namespace} ${x.key}`).sort()
          const dry = got(gc(db, { now, dryRun: true }))
          const real = got(gc(db, { now }))
          expect(real).toEqual(model(w))
          expect(dry).toEqual(real)
          expect(got(gc(db, { now }))).toEqual([])
        } finally {
          db.close()
        }
      }),
      { numRuns: 300 },
    )
  })
})
