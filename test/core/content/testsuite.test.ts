// containerd's core/content/testsuite/testsuite.go, run against the metadata store as
// core/metadata/content_test.go does (ContentSuite + ContentCrossNSSharedSuite).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeBlob, type Writer } from '../../../src-main/core/content/store'
import {
  checkInfo,
  checkStatus,
  createContent,
  expectKind,
  makeStore,
  sha256,
  type TestStore,
} from './helpers'

const NS = 'testsuite-n1'
const NS2 = 'testsuite-n2'
const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const gcRootLabels = () => ({ 'containerd.io/gc.root': new Date().toISOString().replace(/\.\d+Z$/, 'Z') })

let t: TestStore
beforeEach(() => {
  t = makeStore()
})
afterEach(() => t.cleanup())

/** io.CopyBuffer with a small buffer: many small writes. */
async function copyIn(w: Writer, data: Uint8Array, chunk: number): Promise<void> {
  for (let off = 0; off < data.length; off += chunk) await w.write(data.subarray(off, off + chunk))
}

const now = () => new Date()

describe('containerd content testsuite', () => {
  it('Writer: descriptors with and without size/digest, small copy buffer, commit with labels', async () => {
    const cases = [
      { c: createContent(256), desc: (_: { digest: string; size: number }) => ({}) },
      { c: createContent(256), desc: (x: { digest: string; size: number }) => ({ size: x.size }) },
      { c: createContent(256), desc: (x: { digest: string; size: number }) => ({ digest: x.digest }) },
      {
        c: createContent(256),
        desc: (x: { digest: string; size: number }) => ({ size: x.size, digest: x.digest }),
      },
      {
        c: createContent(16 << 21),
        desc: (x: { digest: string; size: number }) => ({ size: x.size, digest: x.digest }),
      },
    ]
    const writers = await Promise.all(
      cases.map(({ c }, i) =>
        t.cs.writer(NS, { ref: `c${i + 1}`, desc: cases[i].desc({ digest: c.digest, size: c.data.length }) }),
      ),
    )
    const labels = gcRootLabels()
    for (const [i, { c }] of cases.entries()) {
      const w = writers[i]
      // containerd copies through a 32-byte buffer; the 32 MiB blob uses 64 KiB writes to stay quick.
      await copyIn(w, c.data, c.data.length > 1 << 20 ? 1 << 16 : 32)
      const pre = now()
      await w.commit(0, '', { labels })
      const post = now()
      expect(w.digest()).toBe(c.digest)
      await checkInfo(t.cs, NS, c.digest, { size: c.data.length, labels }, [pre, post], [pre, post])
      await w.close()
    }
  })

  it('UpdateStatus: offset, digest and timestamps after each write', async () => {
    const c = createContent(256)
    const preStart = now()
    const w = await t.cs.writer(NS, { ref: 'c1', desc: { size: 256, digest: c.digest } })
    const postStart = now()
    const exp = { ref: 'c1', offset: 0, total: 256 }
    await checkStatus(w, exp, EMPTY, [preStart, postStart], [preStart, postStart])
    for (const [from, to] of [
      [0, 64],
      [64, 192],
      [192, 256],
    ]) {
      const pre = now()
      await w.write(c.data.subarray(from, to))
      const post = now()
      await checkStatus(
        w,
        { ...exp, offset: to },
        sha256(c.data.subarray(0, to)),
        [preStart, postStart],
        [pre, post],
      )
    }
    const labels = gcRootLabels()
    const pre = now()
    await w.commit(0, '', { labels })
    const post = now()
    await checkInfo(t.cs, NS, c.digest, { size: 256, labels }, [pre, post], [pre, post])
  })

  it('CommitExists: committing bytes already present gives AlreadyExists, with or without expected', async () => {
    const c = createContent(256)
    await writeBlob(t.cs, NS, 'c1', c.data, { mediaType: '', digest: c.digest, size: 0 })
    for (const [i, expected] of [c.digest, ''].entries()) {
      const w = await t.cs.writer(NS, { ref: `c1-commitexists-${i}` })
      await w.write(c.data)
      await expectKind(w.commit(c.data.length, expected), 'already-exists')
      await w.close()
    }
  })

  it('Resume: a closed writer resumes with the same status, then completes', async () => {
    const c = createContent(256)
    const [first, second] = [c.data.subarray(0, 128), c.data.subarray(128)]
    const preStart = now()
    const w1 = await t.cs.writer(NS, { ref: 'cb', desc: { size: 256, digest: c.digest } })
    const postStart = now()
    await w1.write(first)
    const postUpdate = now()
    const exp = { ref: 'cb', offset: 128, total: 256 }
    await checkStatus(w1, exp, sha256(first), [preStart, postStart], [postStart, postUpdate])
    await w1.close()

    const w2 = await t.cs.writer(NS, { ref: 'cb', desc: { size: 256, digest: c.digest } })
    await checkStatus(w2, exp, sha256(first), [preStart, postStart], [postStart, postUpdate])
    const pre = now()
    await w2.write(second)
    const post = now()
    await checkStatus(w2, { ...exp, offset: 256 }, c.digest, [preStart, postStart], [pre, post])
    const preCommit = now()
    await w2.commit(0, '')
    const postCommit = now()
    await w2.close()
    await checkInfo(t.cs, NS, c.digest, { size: 256 }, [preCommit, postCommit], [preCommit, postCommit])
  })

  type Resumer = (w: Writer, b: Buffer, written: number, size: number, d: string) => Promise<void>
  const resumers: [string, Resumer][] = [
    [
      'ResumeTruncate',
      async (w, b, _written, size, d) => {
        await w.truncate(0)
        await copyIn(w, b, 1024)
        await w.commit(size, d)
      },
    ],
    [
      'ResumeDiscard',
      async (w, b, written, size, d) => {
        await copyIn(w, b.subarray(written), 1024)
        await w.commit(size, d)
      },
    ],
    [
      // content.Copy: seek the source to the writer's offset, copy the rest, commit.
      'ResumeCopy',
      async (w, b, _written, size, d) => {
        const { offset } = await w.status()
        await copyIn(w, b.subarray(offset), 1 << 15)
        await w.commit(size, d)
      },
    ],
  ]
  for (const [name, rf] of resumers) {
    it(`${name}: sizes 500/5000/50000 truncated at 0, 10, 50, 90, 100 %`, async () => {
      for (const [i, size] of [500, 5000, 50000].entries()) {
        for (const [j, tp] of [0, 0.1, 0.5, 0.9, 1].entries()) {
          const c = createContent(size)
          const limit = Math.floor(size * tp)
          const ref = `ref-${i}-${j}`
          let w = await t.cs.writer(NS, { ref, desc: { size, digest: c.digest } })
          await w.write(c.data.subarray(0, limit))
          await w.close()
          w = await t.cs.writer(NS, { ref, desc: { size, digest: c.digest } })
          expect((await w.status()).offset).toBe(limit)
          const pre = now()
          await rf(w, c.data, limit, size, c.digest)
          const post = now()
          await w.close()
          await checkInfo(t.cs, NS, c.digest, { size }, [pre, post], [pre, post])
        }
      }
    })
  }

  it('SmallBlob: a blob smaller than the read size reads back whole', async () => {
    const blob = Buffer.from('foobar')
    const d = sha256(blob)
    const w = await t.cs.writer(NS, { ref: 'SmallBlob', desc: { size: blob.length, digest: d } })
    await w.write(blob)
    await w.commit(blob.length, d)
    await w.close()
    const got = await t.cs.provider(NS).readBlob({ mediaType: '', digest: d, size: blob.length })
    expect(sha256(got)).toBe(d)
    const stream = await t.cs.provider(NS).readStream!({ mediaType: '', digest: d, size: 0 })
    const chunks: Buffer[] = []
    for await (const ch of stream as AsyncIterable<Buffer>) chunks.push(ch)
    expect(Buffer.concat(chunks).toString()).toBe('foobar')
  })

  it('Labels: commit labels, replace all, then update single keys', async () => {
    const c = createContent(256)
    const w = await t.cs.writer(NS, { ref: 'c1-checklabels', desc: { size: 256, digest: c.digest } })
    await w.write(c.data)
    const rootTime = gcRootLabels()['containerd.io/gc.root']
    const labels: Record<string, string> = { k1: 'v1', k2: 'v2', 'containerd.io/gc.root': rootTime }
    const preCommit = now()
    await w.commit(0, '', { labels })
    const postCommit = now()
    await w.close()
    await checkInfo(
      t.cs,
      NS,
      c.digest,
      { size: 256, labels },
      [preCommit, postCommit],
      [preCommit, postCommit],
    )

    const replaced = { k1: 'newvalue', k3: 'v3', 'containerd.io/gc.root': rootTime }
    let pre = now()
    await t.cs.update(NS, { digest: c.digest, labels: replaced })
    let post = now()
    await checkInfo(t.cs, NS, c.digest, { size: 256, labels: replaced }, [preCommit, postCommit], [pre, post])

    const partial = { k1: 'v1', 'containerd.io/gc.root': rootTime }
    pre = now()
    await t.cs.update(NS, { digest: c.digest, labels: partial }, 'labels.k3', 'labels.k1')
    post = now()
    await checkInfo(t.cs, NS, c.digest, { size: 256, labels: partial }, [preCommit, postCommit], [pre, post])
  })

  it('CommitErrorState: failed commits keep the ingest; locks hold while a writer is open', async () => {
    const c1 = createContent(256)
    const d2 = createContent(256).digest
    await writeBlob(t.cs, NS, 'c1', c1.data, { mediaType: '', digest: c1.digest, size: 0 })
    const ref = 'c1-commiterror-state'
    const notAvailable = () => expectKind(t.cs.writer(NS, { ref }), 'unavailable', /locked/)

    let w = await t.cs.writer(NS, { ref })
    await w.write(c1.data)
    await notAvailable()
    await expectKind(w.commit(c1.data.length, c1.digest), 'already-exists')

    w = await t.cs.writer(NS, { ref })
    await notAvailable()
    await w.write(c1.data)
    await expectKind(w.commit(c1.data.length, ''), 'already-exists')
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await notAvailable()
    await w.write(Buffer.concat([c1.data, Buffer.from('more')]))
    await expectKind(w.commit(c1.data.length + 4, d2), 'failed-precondition')
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await notAvailable()
    // The ingest survived: commit with the wrong size fails, again keeping it.
    expect((await w.status()).offset).toBe(260)
    await expectKind(w.commit(c1.data.length, ''), 'failed-precondition')
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await notAvailable()
    await w.commit(c1.data.length + 4, '')
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await w.write(c1.data)
    await notAvailable()
    await expectKind(w.commit(c1.data.length, c1.digest), 'already-exists')
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await notAvailable()
    await w.truncate(0)
    await w.close()

    w = await t.cs.writer(NS, { ref })
    await w.truncate(0)
    await w.close()
  })
})

describe('containerd cross-namespace shared suite', () => {
  it('CrossNamespaceShare: another namespace commits an existing blob without writing it', async () => {
    const size = 1000
    const c = createContent(size)
    const ref = `ref-${size}`
    const t1 = now()
    await writeBlob(t.cs, NS, ref, c.data, { mediaType: '', digest: c.digest, size })
    const w = await t.cs.writer(NS2, { ref, desc: { size, digest: c.digest } })
    const t2 = now()
    await checkStatus(w, { ref, offset: size, total: size }, c.digest, [t1, t2], [t1, t2])
    await w.commit(size, c.digest)
    const t3 = now()
    for (const ns of [NS, NS2]) {
      await checkInfo(t.cs, ns, c.digest, { size }, [t1, t3], [t1, t3])
      expect(sha256(await t.cs.readBlob(ns, { mediaType: '', digest: c.digest, size: 0 }))).toBe(c.digest)
    }
    // The bytes were not rewritten: one file, untouched since the first commit.
    const { statSync } = await import('node:fs')
    expect(statSync(t.cs.blobPath(c.digest)).mtimeMs).toBeLessThanOrEqual(t2.getTime())
  })

  it('CrossNamespaceAppend: writing to a shared writer appends to a copy of the blob', async () => {
    const size = 1000
    const c = createContent(size)
    const ref = `ref-${size}`
    const t1 = now()
    await writeBlob(t.cs, NS, ref, c.data, { mediaType: '', digest: c.digest, size })
    const extra = Buffer.from('appended bytes')
    const b2 = Buffer.concat([c.data, extra])
    const d2 = sha256(b2)
    const w = await t.cs.writer(NS2, { ref, desc: { size, digest: c.digest } })
    const t2 = now()
    await checkStatus(w, { ref, offset: size, total: size }, c.digest, [t1, t2], [t1, t2])
    await w.write(extra)
    await w.commit(b2.length, d2)
    const t3 = now()
    await checkInfo(t.cs, NS, c.digest, { size }, [t1, t3], [t1, t3])
    await checkInfo(t.cs, NS2, d2, { size: b2.length }, [t1, t3], [t1, t3])
    expect(Buffer.from(await t.cs.readBlob(NS2, { mediaType: '', digest: d2, size: 0 })).equals(b2)).toBe(
      true,
    )
    // NS2 never committed the original blob.
    await expectKind(t.cs.info(NS2, c.digest), 'not-found')
  })
})

describe('containerd cross-namespace isolated suites', () => {
  beforeEach(() => {
    t.cleanup()
    t = makeStore({ policy: 'isolated' })
  })

  it('CrossNamespaceIsolate: under the isolated policy another namespace starts a new ingest', async () => {
    const size = 1000
    const c = createContent(size)
    const ref = `ref-${size}`
    await writeBlob(t.cs, NS, ref, c.data, { mediaType: '', digest: c.digest, size })
    const t3 = now()
    const w = await t.cs.writer(NS2, { ref, desc: { size, digest: c.digest } })
    const t4 = now()
    const st = await w.status()
    expect(w.digest()).toBe(EMPTY)
    expect(st.offset).toBe(0)
    expect(st.startedAt.getTime()).toBeGreaterThanOrEqual(t3.getTime())
    expect(st.startedAt.getTime()).toBeLessThanOrEqual(t4.getTime())
    await w.close()
  })

  it('SharedNamespaceIsolate: a namespace labelled shareable shares its blobs even under isolation', async () => {
    t.db
      .prepare('INSERT INTO namespaces (name, labels, created_at) VALUES (?, ?, ?)')
      .run(NS, JSON.stringify({ 'containerd.io/namespace.shareable': 'true' }), Date.now())
    const size = 1000
    const c = createContent(size)
    const ref = `ref-${size}`
    const t1 = now()
    await writeBlob(t.cs, NS, ref, c.data, { mediaType: '', digest: c.digest, size })
    const w = await t.cs.writer(NS2, { ref, desc: { size, digest: c.digest } })
    const t2 = now()
    await checkStatus(w, { ref, offset: size, total: size }, c.digest, [t1, t2], [t1, t2])
    await w.commit(size, c.digest)
    const t3 = now()
    for (const ns of [NS, NS2]) await checkInfo(t.cs, ns, c.digest, { size }, [t1, t3], [t1, t3])
  })
})
