// Summaries kept current by marks, not by re-deriving the namespace: a read when nothing changed reads
// no blob; a change re-reads exactly the images it concerns, one walk per target; a blob that arrives
// while a walk is under way is not lost (issue 11.7); and the incremental answer, unique sizes included,
// equals the one computed from scratch after any sequence of changes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Provider } from '../../src-main/core/content/provider'
import { writeBlob } from '../../src-main/core/content/store'
import type { Descriptor } from '../../src-main/core/oci'
import { openBerth, type Berth } from '../../src-main/service/berth'
import type { ServiceContext } from '../../src-main/service/context'
import { imageSummary, listImages } from '../../src-main/service/images-list'
import { refreshSummaries } from '../../src-main/service/summaries'
import { multiPlatformImage, singlePlatformImage, type ImageFixture } from '../fixtures/images'

let dir: string
let berth: Berth
let n = 0

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-refresh-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => berth?.close())

function open(): Berth {
  berth = openBerth({ root: join(dir, `s${n++}`), host: { os: 'linux', architecture: 'amd64' } })
  return berth
}

/** The real store, with every blob read counted and, optionally, held at a gate. */
function counted(b: Berth, gate?: { digest: string; wait: Promise<void>; reached: () => void }) {
  const reads: string[] = []
  const ctx: ServiceContext = {
    ...b,
    content: {
      provider(ns): Provider {
        const p = b.content.provider(ns)
        return {
          has: (d) => p.has(d),
          async readBlob(d: Descriptor) {
            reads.push(d.digest)
            if (gate && d.digest === gate.digest) {
              gate.reached()
              await gate.wait
            }
            return p.readBlob(d)
          },
        }
      },
      update: (...a) => b.content.update(...a),
    },
  }
  return { ctx, reads }
}

async function store(b: Berth, fx: ImageFixture, skip: (d: string) => boolean = () => false) {
  for (const [digest, data] of fx.blobs) {
    if (skip(digest)) continue
    await writeBlob(b.content, 'default', `ref-${digest}`, data, {
      digest,
      size: data.length,
      mediaType: 'application/octet-stream',
    })
  }
}

describe('incremental summaries', () => {
  it('reads no blob when nothing changed, and only the changed image when one did', async () => {
    const b = open()
    const fxs = [0, 1, 2].map((i) => singlePlatformImage({ seed: `s${i}` }))
    for (const [i, fx] of fxs.entries()) {
      await store(b, fx)
      b.images.create('default', { name: `img:${i}`, labels: {}, target: fx.target })
    }
    const { ctx, reads } = counted(b)
    expect((await listImages(ctx, { namespace: 'default' })).total).toBe(3)
    expect(reads.length).toBeGreaterThan(0)
    reads.length = 0
    await listImages(ctx, { namespace: 'default' })
    await imageSummary(ctx, 'default', 'img:1')
    expect(await refreshSummaries(ctx, 'default')).toBe(0)
    expect(reads).toEqual([])

    // A label edit changes the search text, not the tree: nothing is read, and the search sees it.
    b.images.update(
      'default',
      { name: 'img:2', labels: { team: 'Blue' }, target: fxs[2].target },
      'labels.team',
    )
    expect((await listImages(ctx, { namespace: 'default', query: 'blue' })).items.map((i) => i.name)).toEqual(
      ['img:2'],
    )
    expect(reads).toEqual([])

    // Retargeting one image walks that image's tree alone.
    const other = singlePlatformImage({ seed: 'other' })
    await store(b, other)
    reads.length = 0
    b.images.update('default', { name: 'img:0', labels: {}, target: other.target }, 'target')
    const s = await imageSummary(ctx, 'default', 'img:0')
    expect(s.targetDigest).toBe(other.target.digest)
    // The manifest, and its config for the platform (a bare manifest names none).
    expect(new Set(reads)).toEqual(new Set([other.target.digest, other.images[0].config.desc.digest]))
  })

  it('re-reads only the images whose summary names a blob that arrives or leaves', async () => {
    const b = open()
    const a = singlePlatformImage({ seed: 'a' })
    const c = singlePlatformImage({ seed: 'c' })
    const missing = a.images[0].layers[0].desc.digest
    await store(b, a, (d) => d === missing)
    await store(b, c)
    b.images.create('default', { name: 'a:1', labels: {}, target: a.target })
    b.images.create('default', { name: 'c:1', labels: {}, target: c.target })
    const { ctx, reads } = counted(b)
    expect((await imageSummary(ctx, 'default', 'a:1')).status).toBe('partial')
    reads.length = 0
    await store(b, a)
    const marked = b.db.prepare('SELECT name FROM image_summary_marks').pluck().all()
    expect(marked).toEqual(['a:1'])
    expect((await imageSummary(ctx, 'default', 'a:1')).status).toBe('present')
    expect(new Set(reads)).toEqual(new Set([a.target.digest, a.images[0].config.desc.digest]))
  })

  it('walks one tree for many tags of one manifest, across the batches of a refresh', async () => {
    const b = open()
    const fx = multiPlatformImage({ name: 'm', platforms: ['linux/amd64', 'linux/arm64'] })
    await store(b, fx)
    b.images.createMany(
      'default',
      Array.from({ length: 4500 }, (_, i) => ({ name: `m:${i}`, labels: {}, target: fx.target })),
    )
    const { ctx, reads } = counted(b)
    const page = await listImages(ctx, { namespace: 'default', limit: 4500 })
    expect(page.items).toHaveLength(4500)
    expect(page.items.every((i) => i.status === 'present' && i.platforms.length === 2)).toBe(true)
    // The index and the two manifests, once each (configs are not read: the index names platforms).
    expect(reads.length).toBe(3)
  })

  it('sees a blob that arrives while the walk is under way (issue 11.7)', async () => {
    const b = open()
    const fx = multiPlatformImage({ name: 'p', platforms: ['linux/amd64', 'linux/arm64'] })
    const late = fx.images[0].layers[0].desc.digest
    await store(b, fx, (d) => d === late)
    b.images.create('default', { name: 'p:1', labels: {}, target: fx.target })
    // The walk checks the first platform's layers, then waits on the second manifest's read; the
    // missing layer is committed meanwhile.
    let reached!: () => void
    const atGate = new Promise<void>((r) => (reached = r))
    let release!: () => void
    const wait = new Promise<void>((r) => (release = r))
    const { ctx } = counted(b, { digest: fx.images[1].desc.digest, wait, reached })
    const first = listImages(ctx, { namespace: 'default' })
    await atGate
    await store(b, fx, (d) => d !== late)
    release()
    expect((await first).items[0].status).toBe('partial')
    const again = await listImages(ctx, { namespace: 'default' })
    expect(again.items[0].status).toBe('present')
  })
})

describe('incremental equals from scratch', () => {
  const fixtures = ['x', 'y', 'z'].map((seed) => singlePlatformImage({ seed, layers: 2 }))
  const shared = multiPlatformImage({ name: 'sh', platforms: ['linux/amd64', 'linux/arm64'] })
  const all = [...fixtures, shared]
  const digests = [...new Set(all.flatMap((f) => [...f.blobs.keys()]))]
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('put' as const),
      name: fc.integer({ min: 0, max: 4 }),
      fx: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({ kind: fc.constant('delete' as const), name: fc.integer({ min: 0, max: 4 }) }),
    fc.record({
      kind: fc.constant('label' as const),
      name: fc.integer({ min: 0, max: 4 }),
      value: fc.constantFrom('Blue', 'red'),
    }),
    fc.record({ kind: fc.constant('blob-in' as const), d: fc.integer({ min: 0, max: digests.length - 1 }) }),
    fc.record({ kind: fc.constant('blob-out' as const), d: fc.integer({ min: 0, max: digests.length - 1 }) }),
  )

  it('after any sequence of image and blob changes, with reads in between', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, fc.boolean()), { maxLength: 14 }), async (ops) => {
        const b = open()
        try {
          const blobOf = new Map(all.flatMap((f) => [...f.blobs]))
          const ns = 'default'
          for (const [o, read] of ops) {
            const name = 'name' in o ? `i${o.name}` : ''
            const exists = name !== '' && b.db.prepare('SELECT 1 FROM images WHERE name = ?').get(name)
            if (o.kind === 'put') {
              const target = all[o.fx].target
              if (exists) b.images.update(ns, { name, labels: {}, target }, 'target')
              else b.images.create(ns, { name, labels: {}, target })
            } else if (o.kind === 'delete' && exists) b.images.delete(ns, name)
            else if (o.kind === 'label' && exists) {
              const target = b.images.get(ns, name).target
              b.images.update(ns, { name, labels: { team: o.value }, target }, 'labels.team')
            } else if (o.kind === 'blob-in') {
              const d = digests[o.d]
              const data = blobOf.get(d) as Uint8Array
              await writeBlob(b.content, ns, `r-${d}`, data, { digest: d, size: data.length, mediaType: 'x' })
            } else if (o.kind === 'blob-out') {
              b.db.prepare('DELETE FROM content WHERE namespace = ? AND digest = ?').run(ns, digests[o.d])
            }
            if (read) await listImages(b, { namespace: ns, limit: 100 })
          }
          const incremental = await listImages(b, { namespace: ns, limit: 100 })
          const search = await listImages(b, { namespace: ns, query: 'BLUE', limit: 100 })
          // From scratch: forget every summary and mark every image.
          b.db
            .exec(`DELETE FROM image_summaries; DELETE FROM image_summary_blobs; DELETE FROM image_summary_digests; DELETE FROM image_search;
                     INSERT OR REPLACE INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM images;`)
          expect(await listImages(b, { namespace: ns, limit: 100 })).toEqual(incremental)
          expect(await listImages(b, { namespace: ns, query: 'BLUE', limit: 100 })).toEqual(search)
          expect(b.db.prepare('SELECT count(*) FROM image_summary_marks').pluck().get()).toBe(0)
          // The holders count per digest the refresh keeps agrees with counting the blob rows.
          const held = (sql: string) =>
            Object.fromEntries(b.db.prepare(sql).raw().all() as [string, number][])
          expect(held('SELECT digest, holders FROM image_summary_digests')).toEqual(
            held('SELECT digest, count(*) FROM image_summary_blobs GROUP BY digest'),
          )
          // The counters the triggers keep agree with counting the rows.
          expect(
            (b.db.prepare('SELECT images, blobs, bytes FROM namespace_stats WHERE namespace = ?').get(ns) as
              object | undefined) ?? {
              images: 0,
              blobs: 0,
              bytes: 0,
            },
          ).toEqual(
            b.db
              .prepare(
                `SELECT (SELECT count(*) FROM images WHERE namespace = @ns) AS images,
                        (SELECT count(*) FROM content WHERE namespace = @ns) AS blobs,
                        (SELECT coalesce(sum(size), 0) FROM content WHERE namespace = @ns) AS bytes`,
              )
              .get({ ns }),
          )
        } finally {
          b.close()
        }
      }),
      { numRuns: 25 },
    )
  })
})
