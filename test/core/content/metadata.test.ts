// The metadata store's own rules (containerd-semantics.md §d.2–§d.4) beyond the upstream testsuite:
// namespaces, invalid input, Info/Update/Walk/Delete/Status/ListStatuses/Abort, ReadBlob, the layout.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeBlob, type Info } from '../../../src-main/core/content/store'
import { createContent, expectKind, makeStore, sha256, type TestStore } from './helpers'

const NS = 'meta'
let clock = new Date('2026-01-02T03:04:05.678Z')
const tick = (ms = 1000) => (clock = new Date(clock.getTime() + ms))
let t: TestStore
beforeEach(() => {
  clock = new Date('2026-01-02T03:04:05.678Z')
  t = makeStore({ now: () => clock })
})
afterEach(() => t.cleanup())

const desc = (d: string, size = 0, data?: string) => ({
  mediaType: 'application/octet-stream',
  digest: d,
  size,
  data,
})

async function put(ns: string, content: Buffer, labels?: Record<string, string>): Promise<string> {
  const d = sha256(content)
  await writeBlob(t.cs, ns, `put-${d}`, content, desc(d, content.length), { labels })
  return d
}

describe('namespaces and invalid input', () => {
  const d = sha256('x')
  const calls: [string, (ns: string) => Promise<unknown>][] = [
    ['info', (ns) => t.cs.info(ns, d)],
    ['update', (ns) => t.cs.update(ns, { digest: d })],
    ['walk', (ns) => t.cs.walk(ns, () => {})],
    ['delete', (ns) => t.cs.delete(ns, d)],
    ['writer', (ns) => t.cs.writer(ns, { ref: 'r' })],
    ['status', (ns) => t.cs.status(ns, 'r')],
    ['listStatuses', (ns) => t.cs.listStatuses(ns)],
    ['abort', (ns) => t.cs.abort(ns, 'r')],
    ['provider', async (ns) => t.cs.provider(ns)],
    ['readBlob', (ns) => t.cs.readBlob(ns, desc(d))],
  ]
  for (const [name, call] of calls) {
    it(`${name}: '' is FailedPrecondition, a bad identifier InvalidArgument`, async () => {
      await expectKind(call(''), 'failed-precondition', /namespace is required/)
      await expectKind(call('no spaces allowed'), 'invalid-argument')
      await expectKind(call('-leading-dash'), 'invalid-argument')
    })
  }

  it('writer: empty ref, bad digest, bad size and bad lease are InvalidArgument', async () => {
    await expectKind(t.cs.writer(NS, { ref: '' }), 'invalid-argument', /ref must not be empty/)
    for (const digest of [
      'sha256:abc',
      'md5:d41d8cd98f00b204e9800998ecf8427e',
      'SHA256:' + 'a'.repeat(64),
      'nope',
    ]) {
      await expectKind(t.cs.writer(NS, { ref: 'r', desc: { digest } }), 'invalid-argument')
    }
    for (const size of [-1, 1.5, Number.NaN]) {
      await expectKind(t.cs.writer(NS, { ref: 'r', desc: { size } }), 'invalid-argument', /desc.size/)
    }
    await expectKind(t.cs.writer(NS, { ref: 'r', lease: '' }), 'invalid-argument')
    // None of these left an ingest behind.
    expect(await t.cs.listStatuses(NS)).toEqual([])
  })

  it('invalid digest strings are NotFound for info, update, delete and reads (the metadata store)', async () => {
    for (const bad of ['', 'sha256:zz', 'sha256:' + 'A'.repeat(64), 'not a digest']) {
      await expectKind(t.cs.info(NS, bad), 'not-found')
      await expectKind(t.cs.update(NS, { digest: bad, labels: {} }), 'not-found')
      await expectKind(t.cs.delete(NS, bad), 'not-found')
      await expectKind(t.cs.readBlob(NS, desc(bad)), 'not-found')
      expect(await t.cs.provider(NS).has(desc(bad))).toBe(false)
    }
  })
})

describe('writer', () => {
  it('desc.digest already in the namespace: AlreadyExists and no writer (the ref stays free)', async () => {
    const d = await put(NS, Buffer.from('hello'))
    await expectKind(t.cs.writer(NS, { ref: 'again', desc: { digest: d } }), 'already-exists')
    const w = await t.cs.writer(NS, { ref: 'again' })
    await w.close()
  })

  it('new ingests outside a lease expire in 24 h; the namespace is recorded on first write', async () => {
    const w = await t.cs.writer(NS, { ref: 'exp', desc: { size: 3 } })
    const row = t.db
      .prepare('SELECT * FROM ingests WHERE namespace = ? AND ref = ?')
      .get(NS, 'exp') as Record<string, unknown>
    expect(row).toMatchObject({
      backend_ref: `${NS}/1/exp`,
      total: 3,
      lease: null,
      created_at: clock.getTime(),
      expires_at: clock.getTime() + 24 * 3600_000,
    })
    expect(t.db.prepare('SELECT name, created_at FROM namespaces').all()).toEqual([
      { name: NS, created_at: clock.getTime() },
    ])
    await w.close()
  })

  it('the ingest directory holds ref, data, startedat, updatedat and total (only when known)', async () => {
    const w = await t.cs.writer(NS, { ref: 'files', desc: { size: 10 } })
    await w.write(Buffer.from('abc'))
    await w.close()
    const w2 = await t.cs.writer(NS, { ref: 'nototal' })
    await w2.close()
    const dirOf = (ref: string) =>
      join(t.root, 'ingest', createHash('sha256').update(`${NS}/1/${ref}`).digest('hex'))
    const dir = dirOf('files')
    expect(readdirSync(dir).sort()).toEqual(['data', 'ref', 'startedat', 'total', 'updatedat'])
    expect(readFileSync(join(dir, 'ref'), 'utf8')).toBe(`${NS}/1/files`)
    expect(readFileSync(join(dir, 'data'), 'utf8')).toBe('abc')
    expect(readFileSync(join(dir, 'total'), 'utf8')).toBe('10')
    expect(readFileSync(join(dir, 'startedat'), 'utf8')).toBe(clock.toISOString())
    expect(readdirSync(dirOf('nototal')).sort()).toEqual(['data', 'ref', 'startedat', 'updatedat'])
  })

  it('resuming with a different total restarts the ingest from zero', async () => {
    let w = await t.cs.writer(NS, { ref: 'tot', desc: { size: 10 } })
    await w.write(Buffer.from('12345'))
    await w.close()
    w = await t.cs.writer(NS, { ref: 'tot', desc: { size: 10 } })
    expect((await w.status()).offset).toBe(5)
    await w.close()
    w = await t.cs.writer(NS, { ref: 'tot', desc: { size: 20 } })
    expect(await w.status()).toMatchObject({ offset: 0, total: 20 })
    await w.close()
  })

  it('commit: size −1, non-integer sizes, a closed writer and a malformed expected digest are refused', async () => {
    const w = await t.cs.writer(NS, { ref: 'neg' })
    await w.write(Buffer.from('data'))
    await expectKind(w.commit(-1), 'failed-precondition', /size validation/)
    const w2 = await t.cs.writer(NS, { ref: 'neg' })
    expect((await w2.status()).offset).toBe(4)
    await expectKind(w2.commit(2.5), 'invalid-argument')
    await expectKind(w2.commit(0), 'failed-precondition', /closed/)
    await expectKind(w2.write(Buffer.from('x')), 'failed-precondition', /closed/)
    const w3 = await t.cs.writer(NS, { ref: 'neg' })
    await expectKind(w3.commit(4, 'sha256:1234'), 'invalid-argument')
    const w4 = await t.cs.writer(NS, { ref: 'neg' })
    await w4.commit(4, sha256('data'))
  })

  it('commit with an expected digest of another algorithm re-hashes (sha512 blob)', async () => {
    const data = Buffer.from('sha512 content')
    const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`
    const w = await t.cs.writer(NS, { ref: 'alg', desc: { size: data.length, digest: d512 } })
    await w.write(data)
    await w.commit(data.length, d512)
    expect((await t.cs.info(NS, d512)).size).toBe(data.length)
    expect(existsSync(join(t.root, 'blobs', 'sha512', d512.slice(7)))).toBe(true)
    expect(Buffer.from(await t.cs.readBlob(NS, desc(d512))).equals(data)).toBe(true)
  })

  it('an oversized label on commit is InvalidArgument: nothing committed, the ingest resumes complete', async () => {
    const c = createContent(100)
    const w = await t.cs.writer(NS, { ref: 'big-label' })
    await w.write(c.data)
    const err = await expectKind(
      w.commit(100, c.digest, { labels: { k: 'v'.repeat(4096) } }),
      'invalid-argument',
    )
    expect(err.message).toMatch(/info\.Labels/)
    await expectKind(t.cs.info(NS, c.digest), 'not-found')
    expect(existsSync(t.cs.blobPath(c.digest))).toBe(false)
    const w2 = await t.cs.writer(NS, { ref: 'big-label' })
    expect((await w2.status()).offset).toBe(100)
    await w2.commit(100, c.digest, { labels: { k: 'v'.repeat(4000) } })
    expect((await t.cs.info(NS, c.digest)).labels.k).toHaveLength(4000)
  })

  it('truncate accepts only 0', async () => {
    const w = await t.cs.writer(NS, { ref: 'tr' })
    await w.write(Buffer.from('abc'))
    await expectKind(w.truncate(1), 'invalid-argument')
    await w.truncate(0)
    expect((await w.status()).offset).toBe(0)
    expect(w.digest()).toBe(sha256(''))
    await w.close()
  })

  it('writes issued without awaiting are applied in order', async () => {
    const w = await t.cs.writer(NS, { ref: 'order' })
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.from(`part-${i};`))
    await Promise.all(parts.map((p) => w.write(p)))
    const all = Buffer.concat(parts)
    expect(w.digest()).toBe(sha256(all))
    await w.commit(all.length, sha256(all))
    expect(Buffer.from(await t.cs.readBlob(NS, desc(sha256(all)))).equals(all)).toBe(true)
  })

  it('shared writer: truncate(0) turns it into an empty ingest; a size mismatch means no sharing', async () => {
    const c = createContent(300)
    await put('other', c.data)
    const w = await t.cs.writer(NS, { ref: 's', desc: { digest: c.digest, size: 300 } })
    expect(await w.status()).toMatchObject({ offset: 300, total: 300 })
    await w.truncate(0)
    expect(await w.status()).toMatchObject({ offset: 0, total: 0 })
    await w.write(c.data)
    await w.commit(300, c.digest)
    expect((await t.cs.info(NS, c.digest)).size).toBe(300)

    const w2 = await t.cs.writer('third', { ref: 's', desc: { digest: c.digest, size: 299 } })
    expect((await w2.status()).offset).toBe(0)
    await w2.close()
    const w3 = await t.cs.writer('fourth', { ref: 's', desc: { digest: c.digest } })
    expect((await w3.status()).offset).toBe(300)
    await expectKind(w3.commit(299), 'failed-precondition')
    const w4 = await t.cs.writer('fourth', { ref: 's', desc: { digest: c.digest } })
    await expectKind(w4.commit(0, sha256('other')), 'failed-precondition')
    const w5 = await t.cs.writer('fourth', { ref: 's', desc: { digest: c.digest } })
    await w5.commit(0, c.digest, { labels: { a: 'b' } })
    expect((await t.cs.info('fourth', c.digest)).labels).toEqual({ a: 'b' })
  })
})

describe('info, update, walk, delete', () => {
  it('info: NotFound when missing, or present only in another namespace; times come from the clock', async () => {
    const d = await put(NS, Buffer.from('abc'), { a: '1' })
    const info = await t.cs.info(NS, d)
    expect(info).toEqual({ digest: d, size: 3, createdAt: clock, updatedAt: clock, labels: { a: '1' } })
    await expectKind(t.cs.info('elsewhere', d), 'not-found', /content digest/)
    await expectKind(t.cs.info(NS, sha256('nothing')), 'not-found')
  })

  it('update: labels only; labels.KEY sets or removes; updatedAt = now; validation', async () => {
    const d = await put(NS, Buffer.from('abc'), { a: '1', b: '2' })
    const created = new Date(clock)
    tick()
    let got = await t.cs.update(NS, { digest: d, labels: { c: '3' } })
    expect(got.labels).toEqual({ c: '3' })
    expect(got.updatedAt).toEqual(clock)
    expect(got.createdAt).toEqual(created)
    got = await t.cs.update(NS, { digest: d, labels: { d: '4', c: '' } }, 'labels.d', 'labels.c')
    expect(got.labels).toEqual({ d: '4' })
    got = await t.cs.update(NS, { digest: d, labels: {} }, 'labels.d', 'labels.missing')
    expect(got.labels).toEqual({})
    got = await t.cs.update(NS, { digest: d, labels: { x: 'y', z: '' } }, 'labels')
    expect(got.labels).toEqual({ x: 'y' })
    expect(await t.cs.info(NS, d)).toEqual(got)
    for (const path of ['size', 'digest', 'createdAt', 'label.x', 'labelsx']) {
      await expectKind(
        t.cs.update(NS, { digest: d, labels: {} }, path),
        'invalid-argument',
        new RegExp(path.replace('.', '\\.')),
      )
    }
    // A failed update changes nothing.
    await expectKind(
      t.cs.update(NS, { digest: d, labels: { k: 'v' } }, 'labels.k', 'size'),
      'invalid-argument',
    )
    await expectKind(t.cs.update(NS, { digest: d, labels: { k: 'v'.repeat(5000) } }), 'invalid-argument')
    expect((await t.cs.info(NS, d)).labels).toEqual({ x: 'y' })
    await expectKind(t.cs.update(NS, { digest: sha256('nope'), labels: {} }), 'not-found')
    await expectKind(t.cs.update('elsewhere', { digest: d, labels: {} }), 'not-found')
  })

  it('walk: digest order, filters on digest and labels (OR), size never filterable', async () => {
    const ds: string[] = []
    for (let i = 0; i < 6; i++)
      ds.push(await put(NS, Buffer.from(`blob ${i}`), i % 2 ? { parity: 'odd', i: `${i}` } : { i: `${i}` }))
    await put('elsewhere', Buffer.from('not mine'))
    const walk = async (...f: string[]) => {
      const seen: Info[] = []
      await t.cs.walk(
        NS,
        async (info) => {
          await Promise.resolve()
          seen.push(info)
        },
        ...f,
      )
      return seen.map((i) => i.digest)
    }
    const sorted = [...ds].sort()
    expect(await walk()).toEqual(sorted)
    expect(await walk('')).toEqual(sorted)
    expect(await walk(`digest==${ds[2]}`)).toEqual([ds[2]])
    // containerd's adaptor answers `digest` on the first element alone, so `digest.x` is the digest too.
    expect(await walk(`digest.x==${ds[2]}`)).toEqual([ds[2]])
    expect(await walk('labels.parity==odd')).toEqual([ds[1], ds[3], ds[5]].sort())
    expect(await walk('labels.parity')).toEqual([ds[1], ds[3], ds[5]].sort())
    expect(await walk('labels.i==0', 'labels.i==4')).toEqual([ds[0], ds[4]].sort())
    expect(await walk('labels.i~=^[23]$,labels.parity==odd')).toEqual([ds[3]])
    expect(await walk('size==8')).toEqual([])
    expect(await walk('size')).toEqual([])
    await expectKind(
      t.cs.walk(NS, () => {}, 'labels.i=='),
      'invalid-argument',
    )
    await expectKind(
      t.cs.walk(NS, () => {}, '==x'),
      'invalid-argument',
    )
    // An error from fn stops the walk and surfaces.
    let n = 0
    await expect(
      t.cs.walk(NS, () => {
        if (++n === 2) throw new Error('stop')
      }),
    ).rejects.toThrow('stop')
    expect(n).toBe(2)
  })

  it('delete: NotFound outside the namespace; removes the record only, flags GC, keeps the file', async () => {
    const data = Buffer.from('shared bytes')
    const d = await put(NS, data)
    await put('other', data)
    const dirty = () => (t.db.prepare('SELECT dirty FROM gc_state').get() as { dirty: number }).dirty
    const before = dirty()
    await expectKind(t.cs.delete('third', d), 'not-found')
    await t.cs.delete(NS, d)
    expect(dirty()).toBeGreaterThan(before)
    await expectKind(t.cs.info(NS, d), 'not-found')
    await expectKind(t.cs.delete(NS, d), 'not-found')
    await expectKind(t.cs.readBlob(NS, desc(d)), 'not-found')
    expect(await t.cs.provider(NS).has(desc(d))).toBe(false)
    expect((await t.cs.info('other', d)).size).toBe(data.length)
    expect(existsSync(t.cs.blobPath(d))).toBe(true)
    expect(t.db.prepare('SELECT count(*) AS n FROM content_labels WHERE namespace = ?').get(NS)).toEqual({
      n: 0,
    })
  })
})

describe('status, listStatuses, abort', () => {
  it('status: NotFound for unknown refs; from the open writer, then from the files after close', async () => {
    await expectKind(t.cs.status(NS, 'none'), 'not-found')
    const started = new Date(clock)
    const w = await t.cs.writer(NS, { ref: 'st', desc: { size: 9 } })
    tick()
    await w.write(Buffer.from('abcd'))
    const open = await t.cs.status(NS, 'st')
    expect(open).toEqual({ ref: 'st', offset: 4, total: 9, startedAt: started, updatedAt: clock })
    await w.close()
    expect(await t.cs.status(NS, 'st')).toEqual(open)
    await expectKind(t.cs.status('elsewhere', 'st'), 'not-found')
  })

  it('listStatuses: ref order, filters on ref only', async () => {
    for (const ref of ['b-ref', 'a-ref', 'c-other']) await (await t.cs.writer(NS, { ref })).close()
    await (await t.cs.writer('elsewhere', { ref: 'a-ref' })).close()
    const refs = async (...f: string[]) => (await t.cs.listStatuses(NS, ...f)).map((s) => s.ref)
    expect(await refs()).toEqual(['a-ref', 'b-ref', 'c-other'])
    expect(await refs('ref==b-ref')).toEqual(['b-ref'])
    expect(await refs('ref.x==b-ref')).toEqual(['b-ref']) // upstream switches on the first element only
    expect(await refs('ref~=-ref$')).toEqual(['a-ref', 'b-ref'])
    expect(await refs('ref!=a-ref')).toEqual(['b-ref', 'c-other'])
    expect(await refs('offset==0')).toEqual([])
    expect(await refs('total')).toEqual([])
    await expectKind(t.cs.listStatuses(NS, 'ref=='), 'invalid-argument')
  })

  it('abort: NotFound for unknown refs; removes a closed ingest', async () => {
    await expectKind(t.cs.abort(NS, 'none'), 'not-found')
    const w = await t.cs.writer(NS, { ref: 'ab' })
    await w.write(Buffer.from('xyz'))
    await w.close()
    await t.cs.abort(NS, 'ab')
    await expectKind(t.cs.status(NS, 'ab'), 'not-found')
    await expectKind(t.cs.abort(NS, 'ab'), 'not-found')
    expect(readdirSync(join(t.root, 'ingest'))).toEqual([])
    const w2 = await t.cs.writer(NS, { ref: 'ab' })
    expect((await w2.status()).offset).toBe(0)
    await w2.close()
  })

  it('abort of a ref an open writer holds removes the ingest, as containerd does; the writer then fails', async () => {
    const w = await t.cs.writer(NS, { ref: 'ab' })
    await w.write(Buffer.from('xyz'))
    await t.cs.abort(NS, 'ab')
    await expectKind(t.cs.status(NS, 'ab'), 'not-found')
    expect(await t.cs.listStatuses(NS)).toEqual([])
    await expectKind(w.write(Buffer.from('more')), 'not-found', /ref ab was aborted/)
    // Until that writer lets go, the ref stays locked (containerd's in-memory lock does the same), and
    // the message does not suggest aborting a ref that has just been aborted.
    const again = await expectKind(
      t.cs.writer(NS, { ref: 'ab' }),
      'unavailable',
      /wait for that writer to close/,
    )
    expect(again.message).not.toMatch(/abort/)
    // A commit releases the writer whatever happens: the ingest's directory goes with it.
    await expectKind(w.commit(0), 'not-found', /ref ab was aborted/)
    expect(readdirSync(join(t.root, 'ingest'))).toEqual([])
    const w2 = await t.cs.writer(NS, { ref: 'ab' })
    expect((await w2.status()).offset).toBe(0)
    await w2.write(Buffer.from('fresh'))
    await w2.commit(5, sha256('fresh'))
    expect((await t.cs.info(NS, sha256('fresh'))).size).toBe(5)
  })

  it('abort of a shared (pre-filled) writer: its commit then fails and records nothing', async () => {
    const d = await put('elsewhere', Buffer.from('shared bytes'))
    const w = await t.cs.writer(NS, { ref: 'sh', desc: { size: 12, digest: d } })
    expect((await w.status()).offset).toBe(12)
    await t.cs.abort(NS, 'sh')
    await expectKind(w.commit(12, d), 'not-found', /ref sh was aborted/)
    await expectKind(t.cs.info(NS, d), 'not-found')
  })
})

describe('reading and the on-disk layout', () => {
  it('readBlob honours desc.data only when its size and digest match', async () => {
    const data = Buffer.from('{"embedded":true}')
    const d = sha256(data)
    const b64 = data.toString('base64')
    expect(Buffer.from(await t.cs.readBlob(NS, desc(d, data.length, b64))).equals(data)).toBe(true)
    expect(Buffer.from(await t.cs.provider(NS).readBlob(desc(d, data.length, b64))).equals(data)).toBe(true)
    await expectKind(t.cs.readBlob(NS, desc(d, data.length + 1, b64)), 'not-found')
    await expectKind(t.cs.readBlob(NS, desc(sha256('other'), data.length, b64)), 'not-found')
    await put(NS, data)
    // Wrong embedded data falls back to the store.
    const wrong = Buffer.from('{"embedded":fals}').toString('base64')
    expect(Buffer.from(await t.cs.readBlob(NS, desc(d, data.length, wrong))).equals(data)).toBe(true)
    await expectKind(t.cs.provider(NS).readStream!(desc(sha256('none'))), 'not-found')
  })

  it('is a valid OCI image layout; committed blobs are read-only', async () => {
    const d = await put(NS, Buffer.from('layout'))
    expect(JSON.parse(readFileSync(join(t.root, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    })
    expect(JSON.parse(readFileSync(join(t.root, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      manifests: [],
    })
    const path = join(t.root, 'blobs', 'sha256', d.slice(7))
    expect(t.cs.blobPath(d)).toBe(path)
    expect(statSync(path).mode & 0o333).toBe(0)
    expect(readdirSync(join(t.root, 'ingest'))).toEqual([])
  })

  it('writeBlob: AlreadyExists is success; a size or digest mismatch fails and keeps nothing', async () => {
    const data = Buffer.from('write blob')
    const d = sha256(data)
    await writeBlob(t.cs, NS, 'wb', data, desc(d, data.length))
    await writeBlob(t.cs, NS, 'wb', data, desc(d, data.length))
    await writeBlob(t.cs, NS, 'wb-other-ref', data, desc(d, data.length))
    await expectKind(writeBlob(t.cs, NS, 'bad-size', data, desc(sha256('x'), 3)), 'failed-precondition')
    await expectKind(
      writeBlob(t.cs, NS, 'bad-digest', data, desc(sha256('x'), data.length)),
      'failed-precondition',
    )
    const infos: string[] = []
    await t.cs.walk(NS, (i) => {
      infos.push(i.digest)
    })
    expect(infos).toEqual([d])
  })
})
