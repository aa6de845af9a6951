// The states a crash can leave between the steps of open and commit, built directly (random kills in
// crash.test.ts may or may not land in each window). From every one the store reads consistently and
// the ref can be written to completion.
import { chmodSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backendRef, dataPath, ingestDir } from '../../../src-main/core/content/ingest'
import { checkConsistency, createContent, expectKind, makeStore, type TestStore } from './helpers'

const NS = 'states'
let t: TestStore
beforeEach(() => {
  t = makeStore()
})
afterEach(() => t.cleanup())

const dirOf = (ref: string) => ingestDir(t.root, backendRef(NS, ref))

async function partial(ref: string, bytes: Buffer): Promise<void> {
  const w = await t.cs.writer(NS, { ref })
  await w.write(bytes)
  await w.close()
}

async function finish(ref: string, c: { data: Buffer; digest: string }, expectOffset: number): Promise<void> {
  const w = await t.cs.writer(NS, { ref, desc: { size: c.data.length } })
  expect((await w.status()).offset).toBe(expectOffset)
  await w.write(c.data.subarray(expectOffset))
  await w.commit(c.data.length, c.digest)
  expect((await t.cs.info(NS, c.digest)).size).toBe(c.data.length)
  checkConsistency(t.root, t.db)
}

describe('crash states', () => {
  it('after the rename into blobs/, before the record: the file is unrecorded, the ingest restarts', async () => {
    const c = createContent(70_000)
    await partial('a', c.data)
    t.reopen()
    mkdirSync(join(t.root, 'blobs', 'sha256'), { recursive: true })
    chmodSync(dataPath(dirOf('a')), 0o444)
    renameSync(dataPath(dirOf('a')), t.cs.blobPath(c.digest))
    await expectKind(t.cs.info(NS, c.digest), 'not-found')
    await expectKind(t.cs.status(NS, 'a'), 'not-found')
    checkConsistency(t.root, t.db)
    // Finishing does not rewrite the file already in place.
    const before = statSync(t.cs.blobPath(c.digest)).ino
    await finish('a', c, 0)
    expect(statSync(t.cs.blobPath(c.digest)).ino).toBe(before)
  })

  it('after the record, before the ingest directory is removed: the ref starts afresh', async () => {
    const c = createContent(5000)
    await partial('b', c.data)
    t.db.prepare('DELETE FROM ingests WHERE ref = ?').run('b')
    writeFileSync(join(dirOf('b'), 'lock'), '999999999')
    await finish('b', c, 0)
  })

  it('a dead writer’s lock with partial data (made read-only by a commit that died): resumes where the data ends', async () => {
    const c = createContent(9000)
    await partial('c', c.data.subarray(0, 4000))
    chmodSync(dataPath(dirOf('c')), 0o444)
    writeFileSync(join(dirOf('c'), 'lock'), '999999998:12345')
    await finish('c', c, 4000)
  })

  it('killed while setting up the ingest (no data file) or while rewriting updatedat: no loss of data', async () => {
    const c = createContent(3000)
    await partial('d', Buffer.alloc(0))
    rmSync(dataPath(dirOf('d')))
    await finish('d', c, 0)

    const c2 = createContent(3000)
    await partial('e', c2.data.subarray(0, 1000))
    writeFileSync(join(dirOf('e'), 'updatedat'), '')
    await finish('e', c2, 1000)
  })

  it('an ingest row whose directory vanished starts again from zero', async () => {
    const c = createContent(2000)
    await partial('f', c.data.subarray(0, 500))
    rmSync(dirOf('f'), { recursive: true })
    await expectKind(t.cs.status(NS, 'f'), 'not-found')
    await finish('f', c, 0)
  })
})
