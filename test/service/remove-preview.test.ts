// The delete preview against the real thing: on random stores (images, blobs with files of distinct
// sizes, gc.ref / gc.bref / gc.root / gc.expire labels, flat and expiring leases, ingests, two namespaces
// sharing digests), what images.removePreview says a collection would free once the chosen images are
// gone equals the difference of two real GC dry runs, with and without those images. And it runs in a
// read transaction only: a writer is never kept waiting by it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digestOf } from '../../src-main/core/digest'
import { gc } from '../../src-main/core/gc'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { removePreview } from '../../src-main/service/remove-preview'
import { refreshSummaries } from '../../src-main/service/summaries'

const T = Date.UTC(2026, 5, 1)
const PAST = '2026-05-31T00:00:00Z'
const FUTURE = '2026-06-02T00:00:00Z'
const NS = ['a', 'b']
// Blob bodies of distinct sizes, so a wrong blob counted shows in the bytes. The last has no file.
const BODIES = [0, 1, 2, 3, 4, 5, 6].map((i) => 'x'.repeat(10 * 2 ** i))
const DIGESTS = BODIES.map((b) => digestOf(b))
const NAMES = ['i0', 'i1', 'i2', 'i3']

type Labels = [string, string][]
interface World {
  content: { ns: string; d: number; labels: Labels }[]
  images: { ns: string; name: string; target: number; labels: Labels }[]
  leases: { ns: string; id: string; expired: boolean; flat: boolean; res: [string, string][] }[]
  ingests: {
    ns: string
    ref: string
    expected: number | null
    expiresAt: number | null
    lease: string | null
  }[]
  removed: string[]
}

const digest = fc.integer({ min: 0, max: DIGESTS.length - 1 }).map((i) => DIGESTS[i])
const name = fc.constantFrom(...NAMES)
const label: fc.Arbitrary<[string, string]> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constantFrom(
        'containerd.io/gc.ref.content.l.0',
        'containerd.io/gc.ref.content.m.1',
        'containerd.io/gc.ref.content',
        'containerd.io/gc.ref.contentX',
      ),
      digest,
    ),
  },
  fc.tuple(fc.constantFrom('containerd.io/gc.ref.image', 'containerd.io/gc.ref.image/x'), name),
  fc.tuple(fc.constantFrom('containerd.io/gc.bref.content', 'containerd.io/gc.bref.content.1'), digest),
  fc.tuple(fc.constant('containerd.io/gc.bref.image'), name),
  fc.tuple(fc.constantFrom('containerd.io/gc.root', 'containerd.io/gc.rootx'), fc.constant('x')),
  fc.tuple(fc.constant('containerd.io/gc.expire'), fc.constantFrom(PAST, FUTURE, 'never')),
)
const labels = fc.uniqueArray(label, { maxLength: 4, selector: ([k]) => k })
const world: fc.Arbitrary<World> = fc
  .record({
    content: fc.uniqueArray(
      fc.record({ ns: fc.constantFrom(...NS), d: fc.integer({ min: 0, max: DIGESTS.length - 1 }), labels }),
      { maxLength: 12, selector: (c) => `${c.ns}${c.d}` },
    ),
    images: fc.uniqueArray(
      fc.record({
        ns: fc.constantFrom('a', 'a', 'b'),
        name,
        target: fc.integer({ min: 0, max: DIGESTS.length - 1 }),
        labels,
      }),
      { minLength: 1, maxLength: 6, selector: (i) => i.ns + i.name },
    ),
    leases: fc.uniqueArray(
      fc.record({
        ns: fc.constantFrom(...NS),
        id: fc.constantFrom('l0', 'l1'),
        expired: fc.boolean(),
        flat: fc.boolean(),
        res: fc.uniqueArray(
          fc.oneof(
            fc.tuple(fc.constant('content'), digest),
            fc.tuple(fc.constant('image'), name),
            fc.tuple(fc.constant('ingest'), fc.constantFrom('r0', 'r1')),
          ),
          { maxLength: 3, selector: ([k, v]) => k + v },
        ),
      }),
      { maxLength: 2, selector: (l) => l.ns + l.id },
    ),
    ingests: fc.uniqueArray(
      fc.record({
        ns: fc.constantFrom(...NS),
        ref: fc.constantFrom('r0', 'r1'),
        expected: fc.option(fc.integer({ min: 0, max: DIGESTS.length - 1 })),
        expiresAt: fc.constantFrom(null, T - 1000, T + 1000),
        lease: fc.constantFrom(null, 'l0', 'l1'),
      }),
      { maxLength: 2, selector: (i) => i.ns + i.ref },
    ),
    pick: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ pick, ...w }) => {
    const inA = w.images.filter((i) => i.ns === 'a').map((i) => i.name)
    const removed = inA.filter((_, i) => pick[i])
    return { ...w, removed: removed.length ? removed : inA.slice(0, 1) }
  })
  .filter((w) => w.removed.length > 0)

let dir: string
let berth: Berth

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-preview-'))
  berth = openBerth({ root: dir, now: () => new Date(T) })
  // Every blob's file but the last: records decide what is live, the files what is freed.
  mkdirSync(join(berth.storeRoot, 'blobs', 'sha256'), { recursive: true })
  DIGESTS.slice(0, -1).forEach((d, i) =>
    writeFileSync(join(berth.storeRoot, 'blobs', 'sha256', d.slice(7)), BODIES[i]),
  )
})
afterAll(() => {
  berth.close()
  rmSync(dir, { recursive: true, force: true })
})

function load(w: World): void {
  const db = berth.db
  db.exec(`DELETE FROM images; DELETE FROM content; DELETE FROM leases; DELETE FROM ingests;
           DELETE FROM image_summaries; DELETE FROM image_summary_blobs; DELETE FROM image_summary_digests;
           DELETE FROM image_summary_marks;`)
  const ins = (sql: string, ...a: unknown[]) => db.prepare(sql).run(...a)
  for (const c of w.content) {
    ins(
      'INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
      c.ns,
      DIGESTS[c.d],
      BODIES[c.d].length,
    )
    for (const [k, v] of c.labels)
      ins(
        'INSERT INTO content_labels (namespace, digest, key, value) VALUES (?, ?, ?, ?)',
        c.ns,
        DIGESTS[c.d],
        k,
        v,
      )
  }
  for (const i of w.images) {
    ins(
      `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, created_at, updated_at)
       VALUES (?, ?, 'application/vnd.oci.image.manifest.v1+json', ?, ?, 0, 0)`,
      i.ns,
      i.name,
      DIGESTS[i.target],
      BODIES[i.target].length,
    )
    for (const [k, v] of i.labels)
      ins('INSERT INTO image_labels (namespace, name, key, value) VALUES (?, ?, ?, ?)', i.ns, i.name, k, v)
  }
  for (const l of w.leases) {
    const lbl: Record<string, string> = {}
    if (l.expired) lbl['containerd.io/gc.expire'] = PAST
    if (l.flat) lbl['containerd.io/gc.flat'] = 'x'
    ins(
      'INSERT INTO leases (namespace, id, labels, created_at) VALUES (?, ?, ?, 0)',
      l.ns,
      l.id,
      JSON.stringify(lbl),
    )
    for (const [kind, key] of l.res)
      ins(
        'INSERT INTO lease_resources (namespace, lease, kind, key) VALUES (?, ?, ?, ?)',
        l.ns,
        l.id,
        kind,
        key,
      )
  }
  for (const g of w.ingests)
    ins(
      'INSERT INTO ingests (namespace, ref, backend_ref, expected, lease, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
      g.ns,
      g.ref,
      `${g.ns}/${g.ref}`,
      g.expected === null ? null : DIGESTS[g.expected],
      g.lease,
      g.expiresAt,
    )
}

/** The reference answer: two real dry runs, the second inside a transaction rolled back. */
function dryRunDifference(removed: string[]): { bytes: number; blobs: number } {
  const opts = { root: berth.storeRoot, dryRun: true, now: () => new Date(T) }
  const baseline = gc(berth.db, opts)
  let after = baseline
  try {
    berth.db.transaction(() => {
      for (const n of removed)
        berth.db.prepare("DELETE FROM images WHERE namespace = 'a' AND name = ?").run(n)
      after = gc(berth.db, opts)
      throw new Error('rollback')
    })()
  } catch (e) {
    if ((e as Error).message !== 'rollback') throw e
  }
  return { bytes: after.bytesFreed - baseline.bytesFreed, blobs: after.blobsDeleted - baseline.blobsDeleted }
}

describe('images.removePreview', () => {
  it('equals the difference of two real GC dry runs on random stores', async () => {
    await fc.assert(
      fc.asyncProperty(world, fc.boolean(), async (w, summarized) => {
        load(w)
        // With summaries the preview first tries the other images that reach a blob; without, it searches.
        if (summarized) {
          berth.db.exec(
            'INSERT OR REPLACE INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM images',
          )
          await refreshSummaries(berth, 'a')
        }
        const want = dryRunDifference(w.removed)
        const got = removePreview(berth, { namespace: 'a', names: w.removed })
        expect({ bytes: got.reclaimBytes, blobs: got.blobs }).toEqual(want)
      }),
      { numRuns: 250 },
    )
  })

  // Cases the random stores reach rarely, each against the dry runs and against the figure by hand.
  const ref = (d: number): [string, string] => ['containerd.io/gc.ref.content.l.0', DIGESTS[d]]
  // Blobs 0 and 1 both reference blob 2; the removed image i0 targets blob 0.
  const twoParents: World['content'] = [
    { ns: 'a', d: 0, labels: [ref(2)] },
    { ns: 'a', d: 1, labels: [ref(2)] },
    { ns: 'a', d: 2, labels: [] },
  ]
  const i0: World['images'] = [{ ns: 'a', name: 'i0', target: 0, labels: [] }]
  /** i0 and an expired i1 on blob 3, kept only through the back reference `bref` names. */
  const expiredBehind = (bref: [string, string]): World['images'] => [
    ...i0,
    { ns: 'a', name: 'i1', target: 3, labels: [['containerd.io/gc.expire', PAST], bref] },
  ]
  const leasing = (flat: boolean, res: [string, string]): World['leases'] => [
    { ns: 'a', id: 'l0', expired: false, flat, res: [res] },
  ]
  const cases: { what: string; w: Omit<World, 'removed'>; removed: string[]; bytes: number }[] = [
    {
      what: "a live ingest in another namespace, a shared writer on the image's blob, keeps its file",
      w: {
        content: [{ ns: 'a', d: 0, labels: [] }],
        images: i0,
        leases: [],
        ingests: [{ ns: 'b', ref: 'r0', expected: 0, expiresAt: T + 1000, lease: null }],
      },
      removed: ['i0'],
      bytes: 0,
    },
    {
      what: 'an expired ingest keeps nothing',
      w: {
        content: [{ ns: 'a', d: 0, labels: [] }],
        images: i0,
        leases: [],
        ingests: [{ ns: 'b', ref: 'r0', expected: 0, expiresAt: T - 1000, lease: null }],
      },
      removed: ['i0'],
      bytes: BODIES[0].length,
    },
    {
      what: 'a layer kept through a flat lease is not kept: a flat lease follows no reference',
      w: { content: twoParents, images: i0, leases: leasing(true, ['content', DIGESTS[1]]), ingests: [] },
      removed: ['i0'],
      bytes: BODIES[0].length + BODIES[2].length,
    },
    {
      what: 'a full lease keeps what its blob references',
      w: { content: twoParents, images: i0, leases: leasing(false, ['content', DIGESTS[1]]), ingests: [] },
      removed: ['i0'],
      bytes: BODIES[0].length,
    },
    {
      what: "an expired image's target, kept by the removed image through a back reference",
      w: {
        content: [
          { ns: 'a', d: 0, labels: [] },
          { ns: 'a', d: 3, labels: [] },
        ],
        images: expiredBehind(['containerd.io/gc.bref.image', 'i0']),
        leases: [],
        ingests: [],
      },
      removed: ['i0'],
      bytes: BODIES[0].length + BODIES[3].length,
    },
    {
      what: 'an expired image kept through its back reference to a live blob keeps its target',
      w: {
        content: [
          { ns: 'a', d: 0, labels: [ref(3)] },
          { ns: 'a', d: 1, labels: [['containerd.io/gc.root', 'x']] },
          { ns: 'a', d: 3, labels: [] },
        ],
        images: expiredBehind(['containerd.io/gc.bref.content', DIGESTS[1]]),
        leases: [],
        ingests: [],
      },
      removed: ['i0'],
      bytes: BODIES[0].length,
    },
    {
      what: 'an image held by a flat lease keeps its target but not what the target references',
      w: {
        content: [
          { ns: 'a', d: 0, labels: [ref(1)] },
          { ns: 'a', d: 1, labels: [ref(2)] },
          { ns: 'a', d: 2, labels: [] },
        ],
        images: [...i0, { ns: 'a', name: 'i1', target: 1, labels: [['containerd.io/gc.expire', PAST]] }],
        leases: leasing(true, ['image', 'i1']),
        ingests: [],
      },
      removed: ['i0'],
      bytes: BODIES[0].length + BODIES[2].length,
    },
    {
      what: 'a shared layer stays, kept by another image through its labels; the record in b keeps another',
      w: {
        content: [
          { ns: 'a', d: 0, labels: [ref(2)] },
          { ns: 'a', d: 1, labels: [ref(2)] },
          { ns: 'a', d: 2, labels: [] },
          { ns: 'a', d: 3, labels: [] },
          { ns: 'b', d: 3, labels: [['containerd.io/gc.root', 'x']] },
        ],
        images: [
          { ns: 'a', name: 'i0', target: 0, labels: [['containerd.io/gc.ref.content', DIGESTS[3]]] },
          { ns: 'a', name: 'i1', target: 1, labels: [] },
        ],
        leases: [],
        ingests: [{ ns: 'a', ref: 'r0', expected: 4, expiresAt: T + 1000, lease: null }],
      },
      removed: ['i0'],
      bytes: BODIES[0].length,
    },
  ]
  for (const c of cases) {
    it(c.what, async () => {
      load({ ...c.w, removed: c.removed })
      for (const summarized of [false, true]) {
        if (summarized) {
          berth.db.exec(
            'INSERT OR REPLACE INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM images',
          )
          await refreshSummaries(berth, 'a')
        }
        expect(dryRunDifference(c.removed).bytes).toBe(c.bytes)
        expect(removePreview(berth, { namespace: 'a', names: c.removed }).reclaimBytes).toBe(c.bytes)
      }
    })
  }

  it('needs no write lock: it answers while another process holds one', async () => {
    const { openDatabase } = await import('../../src-main/core/db')
    load({
      content: [{ ns: 'a', d: 0, labels: [] }],
      images: [{ ns: 'a', name: 'i0', target: 0, labels: [] }],
      leases: [],
      ingests: [],
      removed: ['i0'],
    })
    // The CLI in the middle of a write: the preview must neither wait for it nor block it.
    const cli = openDatabase(join(dir, 'berth.db'))
    try {
      cli.prepare('BEGIN IMMEDIATE').run()
      cli.prepare("INSERT INTO leases (namespace, id, labels, created_at) VALUES ('a', 'w', '{}', 0)").run()
      expect(removePreview(berth, { namespace: 'a', names: ['i0'] })).toMatchObject({
        reclaimBytes: BODIES[0].length,
        blobs: 1,
      })
      cli.prepare('COMMIT').run()
    } finally {
      cli.close()
    }
  })
})
