// Garbage collection (containerd-semantics.md §f), with core/metadata/gc_test.go's roots and refs
// translated to outcomes: what a real run removes, over a real SQLite file and a real blob store.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ContentStore, writeBlob } from '../../src-main/core/content/store'
import { ingestDir } from '../../src-main/core/content/ingest'
import { openDatabase, type Database } from '../../src-main/core/db'
import { digestOf } from '../../src-main/core/digest'
import { gc, parseRFC3339, type GcRemoved } from '../../src-main/core/gc'
import { ImageStore } from '../../src-main/core/images/store'
import { createLease } from '../../src-main/core/leases'

const T = Date.UTC(2026, 5, 1, 12, 0, 0)
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const d = (n: number | string) => digestOf(`blob-${n}`)
const now = () => new Date(T)

let dir: string
let db: Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-gc-'))
  db = openDatabase(join(dir, 'berth.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

// Direct rows, so each case states exactly the records upstream's alterFuncs would.
function image(ns: string, name: string, target: string, labels: Record<string, string> = {}) {
  db.prepare(
    `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, created_at, updated_at)
     VALUES (?, ?, 'application/vnd.oci.image.manifest.v1+json', ?, 1, ?, ?)`,
  ).run(ns, name, target, T, T)
  for (const [k, v] of Object.entries(labels)) {
    db.prepare('INSERT INTO image_labels (namespace, name, key, value) VALUES (?, ?, ?, ?)').run(
      ns,
      name,
      k,
      v,
    )
  }
}
function content(ns: string, digest: string, labels: Record<string, string> = {}, size = 1) {
  db.prepare(
    'INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  ).run(ns, digest, size, T, T)
  for (const [k, v] of Object.entries(labels)) {
    db.prepare('INSERT INTO content_labels (namespace, digest, key, value) VALUES (?, ?, ?, ?)').run(
      ns,
      digest,
      k,
      v,
    )
  }
}
function ingest(
  ns: string,
  ref: string,
  opts: { expected?: string; expiresAt?: number | null; lease?: string } = {},
) {
  db.prepare(
    `INSERT INTO ingests (namespace, ref, backend_ref, expected, lease, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(ns, ref, `${ns}/1/${ref}`, opts.expected ?? null, opts.lease ?? null, T, opts.expiresAt ?? null)
}
function lease(ns: string, id: string, labels: Record<string, string> = {}, res: [string, string][] = []) {
  db.prepare('INSERT OR IGNORE INTO leases (namespace, id, labels, created_at) VALUES (?, ?, ?, ?)').run(
    ns,
    id,
    JSON.stringify(labels),
    T,
  )
  for (const [kind, key] of res) {
    db.prepare('INSERT INTO lease_resources (namespace, lease, kind, key) VALUES (?, ?, ?, ?)').run(
      ns,
      id,
      kind,
      key,
    )
  }
}
const key = (r: GcRemoved) => `${r.kind} ${r.namespace} ${r.key}`
const removedBy = (opts: Parameters<typeof gc>[1] = {}) =>
  gc(db, { now, ...opts })
    .removed.map(key)
    .sort()

const REF = 'containerd.io/gc.ref.content'
const ROOT = 'containerd.io/gc.root'
const EXPIRE = 'containerd.io/gc.expire'
const past = iso(T - 1000)
const future = iso(T + 3600_000)

/** TestGCRoots, minus containers, snapshots and sandboxes, which Berth does not have. */
function seedRoots() {
  image('ns1', 'image1', d(1))
  image('ns1', 'image2', d(2), { 'containerd.io/gc.ref.snapshot.overlay': 'sn2' })
  image('ns2', 'image3', d(10), { [REF]: d(11), 'containerd.io/gc.ref.image': 'image4' })
  image('ns2', 'image4', d(12), { [EXPIRE]: past }) // expired, but image3 refers to it
  image('ns2', 'image5', d(13), { [EXPIRE]: past }) // expired, leased by l3
  image('ns2', 'image6', d(14), { [EXPIRE]: past }) // expired and unreferenced
  for (const n of [1, 2, 3]) content('ns1', d(n))
  content('ns2', d(1))
  content('ns2', d(2), { [ROOT]: 'always' })
  for (const n of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]) content('ns2', d(n))
  ingest('ns1', 'ingest-1') // no expiry, no lease: collectible
  ingest('ns1', 'ingest-2', { expiresAt: T - 1 })
  ingest('ns1', 'ingest-3', { expiresAt: T + 3600_000 })
  ingest('ns1', 'ingest-edge', { expiresAt: T }) // not yet *after* its expiry
  ingest('ns2', 'ingest-4')
  ingest('ns2', 'ingest-5', { expected: d(8) })
  ingest('ns2', 'ingest-6')
  ingest('ns2', 'ingest-7', { expected: d(9) })
  lease('ns2', 'l1', {}, [['content', d(4)]])
  lease('ns2', 'l2', {}, [['content', d(5)]])
  lease('ns2', 'l3', { [EXPIRE]: future }, [
    ['content', d(6)],
    ['image', 'image5'],
    ['ingest', 'ingest-4'],
    ['ingest', 'ingest-5'],
  ])
  lease('ns2', 'l4', { [EXPIRE]: past }, [
    ['content', d(7)],
    ['image', 'image4'],
    ['ingest', 'ingest-6'],
    ['ingest', 'ingest-7'],
  ])
  lease('ns2', 'l5', { [EXPIRE]: 'soon' }) // unparseable: ignored, the lease lives
  // A flat lease keeps what it names, not what those reference.
  image('ns3', 'image1', d(21), { [EXPIRE]: past, [REF]: d(23) })
  content('ns3', d(20), { [`${REF}.0`]: d(22) })
  for (const n of [21, 22, 23]) content('ns3', d(n), n === 21 ? { [`${REF}.config`]: d(24) } : {})
  content('ns3', d(24))
  lease('ns3', 'l1', { 'containerd.io/gc.flat': future }, [
    ['content', d(20)],
    ['image', 'image1'],
    ['ingest', 'ingest-1'],
  ])
  ingest('ns3', 'ingest-1')
}
const ROOTS_REMOVED = [
  `content ns1 ${d(3)}`,
  `content ns2 ${d(1)}`,
  `content ns2 ${d(7)}`,
  `content ns2 ${d(9)}`,
  `content ns2 ${d(14)}`,
  `content ns3 ${d(22)}`,
  `content ns3 ${d(23)}`,
  `content ns3 ${d(24)}`,
  'image ns2 image6',
  'ingest ns1 ingest-1',
  'ingest ns1 ingest-2',
  'ingest ns2 ingest-6',
  'ingest ns2 ingest-7',
  'lease ns2 l4',
].sort()

describe('roots (TestGCRoots)', () => {
  it('removes exactly what no root reaches', () => {
    seedRoots()
    expect(removedBy()).toEqual(ROOTS_REMOVED)
    // Lease resources of the removed lease went with it; the rest stay.
    expect(db.prepare("SELECT count(*) FROM lease_resources WHERE lease = 'l4'").pluck().get()).toBe(0)
    expect(db.prepare("SELECT count(*) FROM image_labels WHERE name = 'image6'").pluck().get()).toBe(0)
    // A second run finds nothing more.
    expect(removedBy()).toEqual([])
  })

  it('a dry run reports the same set and changes nothing', () => {
    seedRoots()
    const count = () =>
      ['images', 'image_labels', 'content', 'content_labels', 'ingests', 'leases', 'lease_resources'].map(
        (t) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number,
      )
    db.prepare('UPDATE gc_state SET dirty = 3').run()
    const before = count()
    const dry = gc(db, { now, dryRun: true })
    expect(count()).toEqual(before)
    expect(db.prepare('SELECT dirty FROM gc_state').pluck().get()).toBe(3)
    const real = gc(db, { now })
    expect(dry.removed.map(key).sort()).toEqual(real.removed.map(key).sort())
    expect(dry.perNamespace).toEqual(real.perNamespace)
    expect(db.prepare('SELECT dirty, last_run_at FROM gc_state').get()).toEqual({ dirty: 0, last_run_at: T })
  })

  it('reports what is left per namespace', () => {
    seedRoots()
    const r = gc(db, { now })
    expect(r.perNamespace.ns1).toEqual({
      contentCount: 2,
      contentBytes: 2,
      imageCount: 2,
      leaseCount: 0,
      ingestCount: 2,
      removed: 3,
    })
    expect(r.perNamespace.ns2.imageCount).toBe(3)
    expect(r.perNamespace.ns2.leaseCount).toBe(4)
    expect(r.perNamespace.ns3.removed).toBe(3)
  })
})

describe('references (TestGCRefs)', () => {
  const cases: [string, string, boolean][] = [
    ['exact key', REF, true],
    ['dot suffix', `${REF}.anything-1`, true],
    ['slash suffix', `${REF}/anything-1`, true],
    ['conventional layer key', `${REF}.l.0`, true],
    ['referrer key', `${REF}.referrer.sha256.0123456789ab`, true],
    ['no separator', `${REF}bad`, false],
    ['another prefix', 'containerd.io/gc.ref.contents', false],
    ['case differs', 'Containerd.io/gc.ref.content', false],
    ['snapshot ref', 'containerd.io/gc.ref.snapshot.overlay', false],
  ]
  it.each(cases)('a live blob refers to a child by %s', (_, labelKey, kept) => {
    content('ns1', d('root'), { [ROOT]: '1', [labelKey]: d('child') })
    content('ns1', d('child'))
    expect(removedBy()).toEqual(kept ? [] : [`content ns1 ${d('child')}`])
  })

  const roots: [string, string, boolean][] = [
    ['gc.root', ROOT, true],
    ['gc.root with a suffix', `${ROOT}.pinned`, true],
    ['gc.rootX', `${ROOT}X`, true],
    ['upper case', 'Containerd.io/gc.root', false],
    ['gc.expire on content', EXPIRE, false],
  ]
  it.each(roots)('a %s label on content makes it a root', (_, labelKey, root) => {
    content('ns1', d(1), { [labelKey]: future })
    expect(removedBy()).toEqual(root ? [] : [`content ns1 ${d(1)}`])
  })

  it('follows chains, collects unrooted cycles, and stays inside the namespace', () => {
    content('ns1', d('a'), { [ROOT]: '1', [REF]: d('b') })
    content('ns1', d('b'), { [`${REF}.0`]: d('c') })
    content('ns1', d('c'), { [`${REF}.0`]: d('a') })
    content('ns1', d('x'), { [REF]: d('y') })
    content('ns1', d('y'), { [REF]: d('x') })
    content('ns1', d('z'), { [REF]: d('missing') })
    content('ns2', d('b'))
    image('ns1', 'img', d('t'), { 'containerd.io/gc.ref.image.other': 'expired', [`${REF}.extra`]: d('e') })
    image('ns1', 'expired', d('u'), { [EXPIRE]: past })
    for (const n of ['t', 'u', 'e']) content('ns1', d(n))
    expect(removedBy()).toEqual(
      [
        `content ns1 ${d('x')}`,
        `content ns1 ${d('y')}`,
        `content ns1 ${d('z')}`,
        `content ns2 ${d('b')}`,
      ].sort(),
    )
  })
})

describe('back references', () => {
  it('keep the child while the named parent lives', () => {
    content('ns1', d('parent'), { [ROOT]: '1' })
    content('ns1', d('c1'), { 'containerd.io/gc.bref.content': d('parent') })
    content('ns1', d('c2'), { 'containerd.io/gc.bref.content.x': d('parent'), [REF]: d('grandchild') })
    content('ns1', d('grandchild'))
    content('ns1', d('c3'), { 'containerd.io/gc.bref.contentX': d('parent') })
    content('ns1', d('c4'), { 'containerd.io/gc.bref.content': d('dead-parent') })
    content('ns1', d('dead-parent'))
    content('ns1', d('c5'), { 'containerd.io/gc.bref.image/x': 'live' })
    content('ns1', d('c6'), { 'containerd.io/gc.bref.image': 'gone' })
    content('ns1', d('c7'), { 'containerd.io/gc.bref.container': 'container1' })
    image('ns1', 'live', d('parent'))
    // An expired image names a live parent and so survives; it then keeps its target.
    image('ns1', 'expired-kept', d('t1'), { [EXPIRE]: past, 'containerd.io/gc.bref.image': 'live' })
    image('ns1', 'expired-gone', d('t2'), { [EXPIRE]: past, 'containerd.io/gc.bref.image': 'nobody' })
    // A live image's back reference is irrelevant: it is a root anyway.
    image('ns1', 'unexpired', d('t3'), { [EXPIRE]: future, 'containerd.io/gc.bref.image': 'nobody' })
    for (const n of ['t1', 't2', 't3']) content('ns1', d(n))
    expect(removedBy()).toEqual(
      [
        `content ns1 ${d('c3')}`,
        `content ns1 ${d('c4')}`,
        `content ns1 ${d('dead-parent')}`,
        `content ns1 ${d('c6')}`,
        `content ns1 ${d('c7')}`,
        `content ns1 ${d('t2')}`,
        'image ns1 expired-gone',
      ].sort(),
    )
  })

  it('a parent held only by a flat lease does not keep its back-referenced children', () => {
    content('ns1', d('p'))
    content('ns1', d('c'), { 'containerd.io/gc.bref.content': d('p') })
    lease('ns1', 'flat', { 'containerd.io/gc.flat': '1' }, [['content', d('p')]])
    expect(removedBy()).toEqual([`content ns1 ${d('c')}`])
  })
})

describe('expiry', () => {
  const cases: [string, string, boolean][] = [
    ['one second ago', past, true],
    ['in an hour', future, false],
    ['exactly now', iso(T), false],
    ['unparseable', 'tomorrow', false],
    ['date only', '2020-01-01', false],
    ['lower-case t', '2020-01-01t00:00:00Z', false],
    ['offset east, already past', '2026-06-01T12:59:59+01:00', true],
    ['offset west, not yet', '2026-06-01T11:00:01-01:00', false],
    ['fraction just past', '2026-06-01T11:59:59.999999999Z', true],
    ['out of range month', '2020-13-01T00:00:00Z', false],
  ]
  it.each(cases)('an image whose gc.expire is %s is collected: %s', (_, value, collected) => {
    image('ns1', 'img', d(1), { [EXPIRE]: value })
    content('ns1', d(1))
    expect(removedBy()).toEqual(collected ? [`content ns1 ${d(1)}`, 'image ns1 img'] : [])
  })
  it('parses RFC 3339 as Go does', () => {
    expect(parseRFC3339('2026-06-01T12:00:00Z')).toBe(T)
    expect(parseRFC3339('2026-06-01T14:00:00.5+02:00')).toBe(T + 500)
    expect(parseRFC3339('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29))
    expect(parseRFC3339('2023-02-29T00:00:00Z')).toBeUndefined()
    expect(parseRFC3339('2026-06-01T24:00:00Z')).toBeUndefined()
    expect(parseRFC3339('2026-06-01 12:00:00Z')).toBeUndefined()
    expect(parseRFC3339('2026-06-01T12:00:00')).toBeUndefined()
  })
  it('a lease lives until its gc.expire passes', () => {
    content('ns1', d(1))
    content('ns1', d(2))
    lease('ns1', 'a', { [EXPIRE]: future }, [['content', d(1)]])
    lease('ns1', 'b', { [EXPIRE]: past }, [['content', d(2)]])
    expect(removedBy()).toEqual([`content ns1 ${d(2)}`, 'lease ns1 b'])
    expect(removedBy({ now: () => new Date(T + 7200_000) })).toEqual([`content ns1 ${d(1)}`, 'lease ns1 a'])
  })
  it('a leased image keeps its target and its references; a flat one only its target', () => {
    image('ns1', 'full', d('f'), { [EXPIRE]: past, [REF]: d('fr') })
    image('ns1', 'flat', d('g'), { [EXPIRE]: past, [REF]: d('gr') })
    for (const n of ['f', 'fr', 'g', 'gr']) content('ns1', d(n))
    content('ns1', d('f'.repeat(2)), {})
    lease('ns1', 'full', {}, [['image', 'full']])
    lease('ns1', 'flat', { 'containerd.io/gc.flat': '' }, [['image', 'flat']])
    expect(removedBy()).toEqual([`content ns1 ${d('ff')}`, `content ns1 ${d('gr')}`].sort())
  })
})

describe('blob files', () => {
  let cs: ContentStore
  let root: string
  beforeEach(() => {
    root = join(dir, 'store')
    cs = new ContentStore(root, db, { now })
  })
  const blobFile = (dg: string) => join(root, 'blobs', 'sha256', dg.slice('sha256:'.length))
  async function put(ns: string, text: string, labels?: Record<string, string>): Promise<string> {
    const data = Buffer.from(text)
    const dg = digestOf(data)
    await writeBlob(
      cs,
      ns,
      `ref-${text}`,
      data,
      { mediaType: 'application/octet-stream', digest: dg, size: data.length },
      { labels },
    )
    return dg
  }

  it('a blob shared by two namespaces stays until neither has a record', async () => {
    const shared = await put('ns1', 'shared bytes')
    expect(await put('ns2', 'shared bytes')).toBe(shared)
    const images = new ImageStore(db, { now, gc: { root } })
    images.create('ns1', { name: 'a', labels: {}, target: { mediaType: 'm/t', digest: shared, size: 12 } })
    images.create('ns2', { name: 'b', labels: {}, target: { mediaType: 'm/t', digest: shared, size: 12 } })

    images.delete('ns1', 'a')
    let r = gc(db, { root, now })
    expect(r.removed.map(key)).toEqual([`content ns1 ${shared}`])
    expect(r.blobsDeleted).toBe(0)
    expect(existsSync(blobFile(shared))).toBe(true)
    await expect(cs.info('ns2', shared)).resolves.toMatchObject({ size: 12 })

    images.delete('ns2', 'b')
    expect(gc(db, { root, now, dryRun: true })).toMatchObject({ blobsDeleted: 1, bytesFreed: 12 })
    expect(existsSync(blobFile(shared))).toBe(true)
    r = gc(db, { root, now })
    expect(r).toMatchObject({ blobsDeleted: 1, bytesFreed: 12 })
    expect(existsSync(blobFile(shared))).toBe(false)
  })

  it('a shared writer keeps the blob it reuses while its ingest lives, even when no record is left', async () => {
    // The race the concurrent-writers test met: ns2 opens a writer on a blob ns1 holds (no bytes to
    // write), ns1's image is removed and GC runs, then ns2 commits.
    const shared = await put('ns1', 'shared bytes')
    const w = await cs.writer('ns2', {
      ref: 'import',
      desc: { digest: shared, size: 12 },
    })
    expect((await w.status()).offset).toBe(12)
    await cs.delete('ns1', shared)
    const r = gc(db, { root, now })
    expect(r.blobsDeleted).toBe(0)
    expect(existsSync(blobFile(shared))).toBe(true)
    await w.commit(12, shared)
    await expect(cs.info('ns2', shared)).resolves.toMatchObject({ size: 12 })

    // Once the ingest is gone (committed or aborted), nothing keeps a blob without records.
    await cs.delete('ns2', shared)
    expect(gc(db, { root, now }).blobsDeleted).toBe(1)
    expect(existsSync(blobFile(shared))).toBe(false)
  })

  it('a record the content store deleted loses its file at the next GC', async () => {
    const keep = await put('ns1', 'keep', { [ROOT]: 'x' })
    const drop = await put('ns1', 'drop')
    await cs.delete('ns1', drop)
    expect(existsSync(blobFile(drop))).toBe(true)
    const r = gc(db, { root, now })
    expect(r.removed).toEqual([])
    expect(r).toMatchObject({ blobsDeleted: 1, bytesFreed: 4 })
    expect(existsSync(blobFile(drop))).toBe(false)
    expect(existsSync(blobFile(keep))).toBe(true)
    // Files that are not blobs are left alone.
    const stray = join(root, 'blobs', 'sha256', 'notes.txt')
    writeFileSync(stray, 'x')
    expect(gc(db, { root, now }).blobsDeleted).toBe(0)
    expect(existsSync(stray)).toBe(true)
  })

  it('dry run and real run free the same bytes', async () => {
    const a = await put('ns1', 'aaaa')
    await put('ns1', 'bbbbbb')
    await put('ns2', 'cc', { [`${REF}.0`]: a })
    const dry = gc(db, { root, now, dryRun: true })
    const real = gc(db, { root, now })
    expect(dry).toEqual(real)
    expect(real.bytesFreed).toBe(12)
    expect(real.blobsDeleted).toBe(3)
  })

  it('an expired ingest loses its row and directory; a leased or fresh one stays', async () => {
    const later = () => new Date(T + 25 * 3600_000)
    const w1 = await cs.writer('ns1', { ref: 'old' })
    await w1.write(Buffer.from('partial'))
    await w1.close()
    createLease(db, 'ns1', { id: 'L', now })
    const w2 = await cs.writer('ns1', { ref: 'leased', lease: 'L' })
    await w2.write(Buffer.from('partial'))
    await w2.close()
    const dirOf = (ref: string) => ingestDir(root, `ns1/1/${ref}`)
    const row = db.prepare('SELECT backend_ref FROM ingests WHERE ref = ?').pluck()
    expect(existsSync(ingestDir(root, row.get('old') as string))).toBe(true)
    expect(removedBy({ root })).toEqual([])
    expect(removedBy({ root, now: later })).toEqual(['ingest ns1 old'])
    expect(existsSync(dirOf('old'))).toBe(false)
    expect(existsSync(ingestDir(root, row.get('leased') as string))).toBe(true)
    await expect(cs.status('ns1', 'leased')).resolves.toMatchObject({ offset: 7 })
  })
})

describe('ingests and live writers', () => {
  it('keeps an expired ingest while a writer holds it, and collects it once the writer is gone', async () => {
    const root = join(dir, 'store')
    let clock = T
    const cs = new ContentStore(root, db, { now: () => new Date(clock) })
    const w = await cs.writer('ns', { ref: 'slow-download' })
    await w.write(new TextEncoder().encode('partial'))
    clock += 25 * 3600_000 // past the 24 h expiry of an ingest outside a lease
    const held = gc(db, { root, now: () => new Date(clock) })
    expect(held.removed.filter((r) => r.kind === 'ingest')).toEqual([])
    expect((await cs.status('ns', 'slow-download')).offset).toBe(7)

    await w.close()
    const freed = gc(db, { root, now: () => new Date(clock) })
    expect(freed.removed.filter((r) => r.kind === 'ingest').map((r) => r.key)).toEqual(['slow-download'])
    await expect(cs.status('ns', 'slow-download')).rejects.toMatchObject({ kind: 'not-found' })
  })
})
