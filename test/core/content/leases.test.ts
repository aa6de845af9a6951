// Leases (core/metadata/leases.go) and how writers carry them (core/metadata/content_test.go:
// TestContentLeased, TestIngestLeased).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeBlob } from '../../../src-main/core/content/store'
import {
  addResource,
  createLease,
  deleteLease,
  deleteResource,
  getLease,
  listLeases,
  listResources,
  withLease,
} from '../../../src-main/core/leases'
import { expectKind, makeStore, sha256, type TestStore } from './helpers'

const NS = 'leased'
const clock = new Date('2026-03-04T05:06:07.000Z')
let t: TestStore
beforeEach(() => {
  t = makeStore({ now: () => clock })
})
afterEach(() => t.cleanup())

const desc = (data: Buffer) => ({
  mediaType: 'application/octet-stream',
  digest: sha256(data),
  size: data.length,
})
const resources = (id: string) => listResources(t.db, NS, id)

describe('lease records', () => {
  it('create: id, labels, expiry label, createdAt; duplicates are AlreadyExists', async () => {
    const l = createLease(t.db, NS, { id: 'l1', labels: { a: 'b' }, expiresIn: 3600_000, now: () => clock })
    expect(l).toEqual({
      id: 'l1',
      labels: { a: 'b', 'containerd.io/gc.expire': '2026-03-04T06:06:07Z' },
      createdAt: clock,
    })
    expect(getLease(t.db, NS, 'l1')).toEqual(l)
    await expectKind(() => createLease(t.db, NS, { id: 'l1' }), 'already-exists', /already exists/)
    // Same id in another namespace is another lease.
    createLease(t.db, 'other', { id: 'l1' })
    const random = createLease(t.db, NS)
    expect(random.id).toMatch(/^\d+-[A-Za-z0-9_-]+$/)
  })

  it('create: bad input', async () => {
    await expectKind(() => createLease(t.db, NS, { id: '' }), 'invalid-argument')
    await expectKind(() => createLease(t.db, NS, { labels: { k: 'x'.repeat(4100) } }), 'invalid-argument')
    await expectKind(() => createLease(t.db, '', {}), 'failed-precondition')
    await expectKind(() => createLease(t.db, 'bad ns', {}), 'invalid-argument')
  })

  it('list with filters; delete is NotFound when missing and flags GC', async () => {
    createLease(t.db, NS, { id: 'b', labels: { kind: 'pull' } })
    createLease(t.db, NS, { id: 'a', labels: { kind: 'import' } })
    createLease(t.db, 'other', { id: 'c' })
    expect(listLeases(t.db, NS).map((l) => l.id)).toEqual(['a', 'b'])
    expect(listLeases(t.db, NS, 'labels.kind==pull').map((l) => l.id)).toEqual(['b'])
    expect(listLeases(t.db, NS, 'id==a', 'id==b').map((l) => l.id)).toEqual(['a', 'b'])
    await expectKind(() => listLeases(t.db, NS, 'id=='), 'invalid-argument')
    const dirty = () => (t.db.prepare('SELECT dirty FROM gc_state').get() as { dirty: number }).dirty
    const before = dirty()
    deleteLease(t.db, NS, 'a')
    expect(dirty()).toBeGreaterThan(before)
    await expectKind(() => deleteLease(t.db, NS, 'a'), 'not-found')
    await expectKind(() => getLease(t.db, NS, 'a'), 'not-found')
  })

  it('resources: add, list, delete; unknown lease NotFound, bad kinds and digests refused', async () => {
    createLease(t.db, NS, { id: 'r' })
    const d = sha256('x')
    addResource(t.db, NS, 'r', { kind: 'content', key: d })
    addResource(t.db, NS, 'r', { kind: 'content', key: d })
    addResource(t.db, NS, 'r', { kind: 'image', key: 'docker.io/library/alpine:latest' })
    addResource(t.db, NS, 'r', { kind: 'ingest', key: 'some-ref' })
    expect(resources('r')).toEqual([
      { kind: 'content', key: d },
      { kind: 'image', key: 'docker.io/library/alpine:latest' },
      { kind: 'ingest', key: 'some-ref' },
    ])
    deleteResource(t.db, NS, 'r', { kind: 'image', key: 'docker.io/library/alpine:latest' })
    expect(resources('r')).toHaveLength(2)
    await expectKind(() => addResource(t.db, NS, 'nope', { kind: 'content', key: d }), 'not-found')
    await expectKind(
      () => addResource(t.db, NS, 'r', { kind: 'content', key: 'sha256:short' }),
      'invalid-argument',
    )
    await expectKind(
      () => addResource(t.db, NS, 'r', { kind: 'snapshots/overlayfs' as 'image', key: 'k' }),
      'not-implemented',
    )
    await expectKind(() => addResource(t.db, NS, 'r', { kind: 'image', key: '' }), 'invalid-argument')
    await expectKind(() => listResources(t.db, NS, 'nope'), 'not-found')
    deleteLease(t.db, NS, 'r')
    expect(t.db.prepare('SELECT count(*) AS n FROM lease_resources').get()).toEqual({ n: 0 })
  })

  it('withLease deletes the lease after fn, also when fn throws', async () => {
    let seen = ''
    const out = await withLease(t.db, NS, (id) => {
      seen = id
      expect(getLease(t.db, NS, id).labels['containerd.io/gc.expire']).toBeDefined()
      return 42
    })
    expect(out).toBe(42)
    await expectKind(() => getLease(t.db, NS, seen), 'not-found')
    await expect(
      withLease(t.db, NS, async (id) => {
        seen = id
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(listLeases(t.db, NS)).toEqual([])
  })
})

describe('writers under a lease', () => {
  it('TestContentLeased: committed content is leased, the ingest no longer; AlreadyExists still leases', async () => {
    const blob = Buffer.from('any content')
    createLease(t.db, NS, { id: 'lease-1' })
    await writeBlob(t.cs, NS, 'test-1', blob, desc(blob), { lease: 'lease-1' })
    expect(resources('lease-1')).toEqual([{ kind: 'content', key: sha256(blob) }])

    createLease(t.db, NS, { id: 'lease-2' })
    await expectKind(
      t.cs.writer(NS, { ref: 'test-2', desc: { size: blob.length, digest: sha256(blob) }, lease: 'lease-2' }),
      'already-exists',
    )
    expect(resources('lease-2')).toEqual([{ kind: 'content', key: sha256(blob) }])
  })

  it('TestIngestLeased: the open ingest is leased (no expiry) until aborted', async () => {
    const blob = Buffer.from('any content')
    createLease(t.db, NS, { id: 'lease-1' })
    const w = await t.cs.writer(NS, { ref: 'test-1', desc: desc(blob), lease: 'lease-1' })
    expect(resources('lease-1')).toEqual([{ kind: 'ingest', key: 'test-1' }])
    expect(t.db.prepare('SELECT lease, expires_at FROM ingests WHERE ref = ?').get('test-1')).toEqual({
      lease: 'lease-1',
      expires_at: null,
    })
    await w.close()
    await t.cs.abort(NS, 'test-1')
    expect(resources('lease-1')).toEqual([])
  })

  it('a writer naming a missing lease is NotFound and leaves nothing behind', async () => {
    const blob = Buffer.from('x')
    await expectKind(t.cs.writer(NS, { ref: 'r', desc: desc(blob), lease: 'missing' }), 'not-found', /lease/)
    expect(await t.cs.listStatuses(NS)).toEqual([])
    // The ref is not left locked.
    await (await t.cs.writer(NS, { ref: 'r' })).close()
  })

  it('commit fails with NotFound if the lease was deleted while writing; the ingest survives', async () => {
    const blob = Buffer.from('lease goes away')
    createLease(t.db, NS, { id: 'gone' })
    const w = await t.cs.writer(NS, { ref: 'r', desc: desc(blob), lease: 'gone' })
    await w.write(blob)
    deleteLease(t.db, NS, 'gone')
    expect(t.db.prepare('SELECT lease FROM ingests WHERE ref = ?').get('r')).toEqual({ lease: null })
    await expectKind(w.commit(blob.length, sha256(blob)), 'not-found')
    await expectKind(t.cs.info(NS, sha256(blob)), 'not-found')
    const w2 = await t.cs.writer(NS, { ref: 'r', desc: desc(blob) })
    expect((await w2.status()).offset).toBe(blob.length)
    await w2.commit(blob.length, sha256(blob))
  })

  it('withLease around an import keeps every blob leased until the end', async () => {
    const blobs = [Buffer.from('layer'), Buffer.from('config'), Buffer.from('manifest')]
    await withLease(t.db, NS, async (lease) => {
      for (const [i, b] of blobs.entries()) await writeBlob(t.cs, NS, `import-${i}`, b, desc(b), { lease })
      expect(resources(lease).map((r) => r.key)).toEqual(blobs.map((b) => sha256(b)).sort())
    })
    expect(t.db.prepare('SELECT count(*) AS n FROM lease_resources').get()).toEqual({ n: 0 })
    expect(t.db.prepare('SELECT count(*) AS n FROM content WHERE namespace = ?').get(NS)).toEqual({ n: 3 })
  })
})
