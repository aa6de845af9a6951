// Bad input and faults: each gives a clear error of the right kind, and the store stays consistent
// (checkConsistency: PRAGMA integrity_check, every blob file hashes to its name, every record has its file).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/core/db'
import { ContentStore } from '../../../src-main/core/content/store'
import {
  checkConsistency,
  createContent,
  expectKind,
  finished,
  makeStore,
  sha256,
  spawnTs,
  waitForLine,
  type TestStore,
} from './helpers'
import { blobContent } from './worker-child'

const NS = 'faults'
const CHILD = 'test/core/content/worker-child.ts'
const desc = (digest: string, size: number) => ({ mediaType: 'application/octet-stream', digest, size })

let t: TestStore
beforeEach(() => {
  t = makeStore()
})
afterEach(() => t.cleanup())

describe('bad data', () => {
  it('wrong digest and wrong size fail with FailedPrecondition; the ingest resumes afterwards', async () => {
    const c = createContent(5000)
    const w = await t.cs.writer(NS, { ref: 'bad' })
    await w.write(c.data)
    await expectKind(
      w.commit(5000, sha256('something else')),
      'failed-precondition',
      /unexpected commit digest/,
    )
    const w2 = await t.cs.writer(NS, { ref: 'bad' })
    await expectKind(w2.commit(4999, c.digest), 'failed-precondition', /size validation/)
    const w3 = await t.cs.writer(NS, { ref: 'bad' })
    expect((await w3.status()).offset).toBe(5000)
    expect(w3.digest()).toBe(c.digest)
    await w3.commit(5000, c.digest)
    checkConsistency(t.root, t.db)
  })

  it('a truncated stream (fewer bytes than the descriptor says) fails; nothing is committed', async () => {
    const c = createContent(10_000)
    const short = Readable.from([c.data.subarray(0, 4000), c.data.subarray(4000, 6000)])
    await expectKind(t.cs.writeStream(NS, 'short', short, desc(c.digest, 10_000)), 'failed-precondition')
    await expectKind(t.cs.info(NS, c.digest), 'not-found')
    expect(existsSync(t.cs.blobPath(c.digest))).toBe(false)
    expect((await t.cs.status(NS, 'short')).offset).toBe(6000)
    // A full stream under the same ref restarts (a stream cannot seek) and completes.
    await t.cs.writeStream(NS, 'short', Readable.from([c.data]), desc(c.digest, 10_000))
    expect((await t.cs.info(NS, c.digest)).size).toBe(10_000)
    await expectKind(t.cs.status(NS, 'short'), 'not-found')
    checkConsistency(t.root, t.db)
  })

  it('a stream that errors midway surfaces its error and keeps the ingest for a resume', async () => {
    const c = createContent(8000)
    async function* failing() {
      yield c.data.subarray(0, 3000)
      throw new Error('connection reset')
    }
    await expect(t.cs.writeStream(NS, 'net', Readable.from(failing()), desc(c.digest, 8000))).rejects.toThrow(
      'connection reset',
    )
    expect((await t.cs.status(NS, 'net')).offset).toBe(3000)
    const file = join(t.dir, 'src.bin')
    writeFileSync(file, c.data)
    await t.cs.ingestFile(NS, 'net', file, desc(c.digest, 8000))
    expect((await t.cs.info(NS, c.digest)).size).toBe(8000)
    checkConsistency(t.root, t.db)
  })

  it('ingestFile resumes a partial ingest whose bytes match, and restarts one whose bytes do not', async () => {
    const c = createContent(3 << 20)
    const file = join(t.dir, 'src.bin')
    writeFileSync(file, c.data)
    const w = await t.cs.writer(NS, { ref: 'f', desc: { size: c.data.length, digest: c.digest } })
    await w.write(c.data.subarray(0, 1 << 20))
    await w.close()
    await t.cs.ingestFile(NS, 'f', file, desc(c.digest, c.data.length))
    expect((await t.cs.info(NS, c.digest)).size).toBe(c.data.length)

    const c2 = createContent(100_000)
    writeFileSync(file, c2.data)
    const w2 = await t.cs.writer(NS, { ref: 'g', desc: { size: c2.data.length, digest: c2.digest } })
    await w2.write(Buffer.alloc(50_000, 7)) // not the file's bytes
    await w2.close()
    await t.cs.ingestFile(NS, 'g', file, desc(c2.digest, c2.data.length))
    expect(sha256(await t.cs.readBlob(NS, desc(c2.digest, 0)))).toBe(c2.digest)
    checkConsistency(t.root, t.db)
  })

  it('ingestFile of a file shorter than the descriptor fails with FailedPrecondition', async () => {
    const c = createContent(5000)
    const file = join(t.dir, 'short.bin')
    writeFileSync(file, c.data.subarray(0, 4000))
    await expectKind(t.cs.ingestFile(NS, 'short', file, desc(c.digest, 5000)), 'failed-precondition')
    await expectKind(t.cs.info(NS, c.digest), 'not-found')
    checkConsistency(t.root, t.db)
  })
})

describe('two writers', () => {
  it('a second writer on a ref held by another process is Unavailable naming it; a dead holder is stale', async () => {
    const child = spawnTs(CHILD, ['lock', t.dir, NS, 'shared-ref'])
    const done = finished(child)
    const line = await waitForLine(child, /^locked \d+/)
    const pid = Number(line.split(' ')[1])
    await expectKind(
      t.cs.writer(NS, { ref: 'shared-ref' }),
      'unavailable',
      new RegExp(`locked for write by process ${pid}`),
    )
    // Other refs are free.
    await (await t.cs.writer(NS, { ref: 'other-ref' })).close()
    child.kill('SIGKILL')
    await done
    const w = await t.cs.writer(NS, { ref: 'shared-ref' })
    expect((await w.status()).offset).toBe(7)
    await w.write(Buffer.from(' then finished'))
    await w.commit(0, sha256('partial then finished'))
    checkConsistency(t.root, t.db)
  })

  it('a lock file naming a process that no longer exists (or garbage) is broken', async () => {
    const w = await t.cs.writer(NS, { ref: 'stale' })
    await w.close()
    const [dir] = (await import('node:fs')).readdirSync(join(t.root, 'ingest'))
    for (const content of ['999999999', '1:1', '', 'garbage']) {
      writeFileSync(join(t.root, 'ingest', dir, 'lock'), content)
      const w2 = await t.cs.writer(NS, { ref: 'stale' })
      await w2.close()
    }
  })
})

describe('two processes on one database', () => {
  it('a child and the parent write at once (same refs, same and different blobs): all land, store consistent', async () => {
    const N = 40
    const child = spawnTs(CHILD, ['blobs', t.dir, NS, String(N), 'shared'])
    const child2 = spawnTs(CHILD, ['blobs', t.dir, 'child-only', String(N), 'mine'])
    const results = Promise.all([finished(child), finished(child2)])
    const { writeBlob } = await import('../../../src-main/core/content/store')
    for (let i = 0; i < N; i++) {
      const data = blobContent('shared', i)
      await writeBlob(t.cs, NS, `blob-${i}`, data, desc(sha256(data), data.length), { waitLocked: 30_000 })
      const own = blobContent('parent', i)
      await writeBlob(t.cs, 'parent-only', `blob-${i}`, own, desc(sha256(own), own.length))
    }
    for (const r of await results) expect(r, r.err).toMatchObject({ code: 0, out: 'done\n' })
    const count = (ns: string) =>
      (t.db.prepare('SELECT count(*) AS n FROM content WHERE namespace = ?').get(ns) as { n: number }).n
    expect([count(NS), count('child-only'), count('parent-only')]).toEqual([N, N, N])
    expect(await t.cs.listStatuses(NS)).toEqual([])
    const { blobs } = checkConsistency(t.root, t.db)
    expect(blobs).toBe(3 * N)
  })
})

describe('disk full', () => {
  let mnt = ''
  let mounted = false
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'berth-tmpfs-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' })
      mounted = true
    } catch {
      mounted = false
    }
  })
  afterEach(() => {
    if (mounted) execFileSync('umount', [mnt])
    rmSync(mnt, { recursive: true, force: true })
  })

  it('ENOSPC while writing: Unavailable saying so, the ingest ends at the last whole write, the store stays sound', async () => {
    // Without permission to mount, a stream that fails like a full disk stands in (said in the test name's log).
    const root = mounted ? join(mnt, 'content') : join(t.dir, 'content-sim')
    if (!mounted) console.warn('tmpfs mount not permitted: simulating ENOSPC with a failing stream')
    const db = openDatabase(join(t.dir, 'full.db'))
    const cs = new ContentStore(root, db)
    const small = createContent(100_000)
    await cs.writeStream(NS, 'fits', Readable.from([small.data]), desc(small.digest, small.data.length))
    const big = createContent(2 << 20)
    const chunks = Array.from({ length: 32 }, (_, i) => big.data.subarray(i * 65536, (i + 1) * 65536))
    async function* source() {
      for (const [i, ch] of chunks.entries()) {
        if (!mounted && i === 10)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        yield ch
      }
    }
    const err = await expectKind(
      cs.writeStream(NS, 'too-big', Readable.from(source()), desc(big.digest, big.data.length)),
      'unavailable',
    )
    expect(err.message).toMatch(/no space left on device/)
    const st = await cs.status(NS, 'too-big')
    expect(st.offset % 65536).toBe(0)
    expect(st.offset).toBeLessThan(big.data.length)
    // The writer's own data file is exactly the whole writes, so a resume re-hash agrees.
    const w = await cs.writer(NS, { ref: 'too-big' })
    expect(w.digest()).toBe(sha256(big.data.subarray(0, st.offset)))
    await w.close()
    await expectKind(cs.info(NS, big.digest), 'not-found')
    // Free the space: abort the ingest; the store works again.
    await cs.abort(NS, 'too-big')
    const next = createContent(50_000)
    await cs.writeStream(NS, 'after', Readable.from([next.data]), desc(next.digest, next.data.length))
    expect((await cs.info(NS, small.digest)).size).toBe(100_000)
    checkConsistency(root, db)
    db.close()
  })

  it('ENOSPC with the database on the full disk too: a clear error, and the database stays intact', async () => {
    if (!mounted)
      return void console.warn('tmpfs mount not permitted: skipped the database-on-full-disk case')
    mkdirSync(join(mnt, 's'))
    const db = openDatabase(join(mnt, 's', 'berth.db'))
    const cs = new ContentStore(join(mnt, 's', 'content'), db)
    let failure: unknown
    const written: string[] = []
    for (let i = 0; i < 400 && !failure; i++) {
      const c = createContent(16_384)
      try {
        await cs.writeStream(NS, `r${i}`, Readable.from([c.data]), desc(c.digest, c.data.length), {
          labels: { pad: 'p'.repeat(2000) },
        })
        written.push(c.digest)
      } catch (e) {
        failure = e
      }
    }
    expect(failure).toBeDefined()
    expect((failure as { kind?: string }).kind).toBe('unavailable')
    expect((failure as Error).message).toMatch(/no space left|disk .* is full|full/i)
    db.close()
    const again = openDatabase(join(mnt, 's', 'berth.db'))
    checkConsistency(join(mnt, 's', 'content'), again)
    const cs2 = new ContentStore(join(mnt, 's', 'content'), again)
    for (const d of written) expect((await cs2.info(NS, d)).size).toBe(16_384)
    again.close()
    expect(statSync(join(mnt, 's', 'berth.db')).size).toBeGreaterThan(0)
  })
})

describe('abort across processes', () => {
  it("abort removes an ingest another process is writing; that writer's next write and its commit fail", async () => {
    const child = spawnTs(CHILD, ['abortee', t.dir, NS, 'victim'], { stdin: true })
    const done = finished(child)
    await waitForLine(child, /^locked \d+/)
    await t.cs.abort(NS, 'victim')
    expect(await t.cs.listStatuses(NS)).toEqual([])
    child.stdin?.end('go\n')
    const r = await done
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out.split('\n').find((l) => l.startsWith('{')) ?? '')).toEqual({
      write: 'not-found',
      commit: 'not-found',
    })
    // Once that writer has let go, the ref is free and starts from nothing.
    const w = await t.cs.writer(NS, { ref: 'victim' })
    expect((await w.status()).offset).toBe(0)
    await w.close()
    checkConsistency(t.root, t.db)
  })
})
