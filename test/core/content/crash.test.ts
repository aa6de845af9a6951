// Crash safety: a child (crash-child.ts) writes and commits blobs in a loop and is SIGKILLed at a
// random moment, 50 times in a row. After each kill the store is reopened and must hold:
//   * no partial blob visible: every blobs/ file hashes to its name and is read-only;
//   * no record pointing at a missing or wrong-sized file; PRAGMA integrity_check ok;
//   * every leftover ingest resumable: a new writer on the same ref starts at the data's size, its
//     bytes are a prefix of what the child was writing, and finishing it gives the right blob.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/core/db'
import { isKind } from '../../../src-main/core/errors'
import { ContentStore } from '../../../src-main/core/content/store'
import { CRASH_NS, CRASH_NS2, crashContent, crashSize, parseCrashRef } from './crash-child'
import { finished, makeStore, sha256, spawnTs, waitForLine, type TestStore } from './helpers'

const KILLS = 50
let t: TestStore
beforeAll(() => {
  t = makeStore()
  t.db.close()
})
afterAll(() => t.cleanup())

// Blob files never change once in place, so each is hashed once (keyed by name, size and mtime).
const verified = new Set<string>()
function checkBlobFiles(root: string): number {
  const dir = join(root, 'blobs', 'sha256')
  let n = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = statSync(path)
    const key = `${name}:${st.size}:${st.mtimeMs}`
    n++
    if (verified.has(key)) continue
    const d = createHash('sha256').update(readFileSync(path)).digest('hex')
    expect(d, `blob file ${name} holds exactly its content`).toBe(name)
    expect(st.mode & 0o222, `blob ${name} is read-only`).toBe(0)
    verified.add(key)
  }
  return n
}

interface Tally {
  resumed: number
  resumedFromZero: number
  sharedFinished: number
  sharedCleaned: number
}

async function settleIngests(
  cs: ContentStore,
  db: ReturnType<typeof openDatabase>,
  tally: Tally,
): Promise<void> {
  const rows = db.prepare('SELECT namespace, ref FROM ingests ORDER BY namespace, ref').all() as {
    namespace: string
    ref: string
  }[]
  for (const { namespace: ns, ref } of rows) {
    const shareSeed = /^share-(\d+)$/.exec(ref)
    if (shareSeed) {
      const seed = Number(shareSeed[1])
      const size = crashSize(seed)
      const d = sha256(crashContent(seed, size))
      try {
        const w = await cs.writer(ns, { ref, desc: { digest: d, size } })
        expect((await w.status()).offset).toBe(size)
        await w.commit(size, d)
        tally.sharedFinished++
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
        await cs.abort(ns, ref)
        tally.sharedCleaned++
      }
      continue
    }
    const intent = parseCrashRef(ref)
    expect(intent, `ingest ref ${ref} is one the child makes`).toBeDefined()
    const { seed, size } = intent!
    const data = crashContent(seed, size)
    let onDisk: number | undefined
    try {
      onDisk = (await cs.status(ns, ref)).offset
    } catch (e) {
      if (!isKind(e, 'not-found')) throw e // a row whose files were never set up, or were just committed away
    }
    const w = await cs.writer(ns, { ref, desc: { size } })
    const st = await w.status()
    expect(st.offset).toBe(onDisk ?? 0)
    expect(st.offset).toBeLessThanOrEqual(size)
    expect(w.digest(), `ingest ${ref} holds a prefix of its content`).toBe(
      sha256(data.subarray(0, st.offset)),
    )
    if (st.offset > 0) tally.resumed++
    else tally.resumedFromZero++
    await w.write(data.subarray(st.offset))
    try {
      await w.commit(size, sha256(data))
    } catch (e) {
      if (!isKind(e, 'already-exists')) throw e
    }
    expect(sha256(await cs.readBlob(ns, { mediaType: '', digest: sha256(data), size: 0 }))).toBe(sha256(data))
  }
  expect(db.prepare('SELECT count(*) AS n FROM ingests').get()).toEqual({ n: 0 })
}

describe('crash safety', () => {
  it(`${KILLS} SIGKILLs at random points: no partial blob, no dangling record, ingests resumable`, async () => {
    const started = Date.now()
    const tally: Tally = { resumed: 0, resumedFromZero: 0, sharedFinished: 0, sharedCleaned: 0 }
    let blobs = 0
    for (let i = 0; i < KILLS; i++) {
      const child = spawnTs('test/core/content/crash-child.ts', [t.dir, String(i + 1)])
      const exit = finished(child)
      await waitForLine(child, /^ready$/)
      await new Promise((r) => setTimeout(r, Math.random() * 250))
      child.kill('SIGKILL')
      const r = await exit
      expect(r.signal, `child ${i} died by our SIGKILL, not by itself: ${r.err}`).toBe('SIGKILL')

      const db = openDatabase(t.dbFile)
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
        blobs = checkBlobFiles(t.root)
        const records = db.prepare('SELECT namespace, digest, size FROM content').all() as {
          namespace: string
          digest: string
          size: number
        }[]
        for (const rec of records) {
          const st = statSync(join(t.root, 'blobs', ...rec.digest.split(':')), { throwIfNoEntry: false })
          expect(st, `record ${rec.namespace} ${rec.digest} has its file`).toBeDefined()
          expect(st!.size).toBe(rec.size)
        }
        const cs = new ContentStore(t.root, db)
        await settleIngests(cs, db, tally)
      } finally {
        db.close()
      }
    }
    const db = openDatabase(t.dbFile)
    const counts = [CRASH_NS, CRASH_NS2].map(
      (ns) =>
        (db.prepare('SELECT count(*) AS n FROM content WHERE namespace = ?').get(ns) as { n: number }).n,
    )
    db.close()
    console.log(
      `crash test: ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; ${blobs} blob files, ` +
        `records ${counts.join('/')}; leftover ingests resumed mid-way ${tally.resumed}, from zero ` +
        `${tally.resumedFromZero}; shared ingests finished ${tally.sharedFinished}, cleaned ${tally.sharedCleaned}`,
    )
    expect(blobs).toBeGreaterThan(KILLS)
    // The kills must actually have caught writes in progress.
    expect(tally.resumed + tally.resumedFromZero).toBeGreaterThan(KILLS / 5)
  }, 150_000) // ~20 s on an idle machine; the margin is for a loaded CI box
})
