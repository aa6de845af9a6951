// Crash leftovers under ingest/: directories with no ingest row and no live lock are swept; anything a
// row or a live writer owns, or that is younger than a minute, stays.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { sweepIngestDirs } from '../../../src-main/core/content/sweep'
import { makeStore, type TestStore } from './helpers'

const NS = 'sweep'
let t: TestStore
beforeEach(() => {
  t = makeStore()
})
afterEach(() => t.cleanup())

const later = () => new Date(Date.now() + 120_000)
const ingestNames = () => readdirSync(join(t.root, 'ingest')).sort()

it('removes orphaned and half-removed ingest directories, keeps owned, locked and young ones', async () => {
  const keep = await t.cs.writer(NS, { ref: 'kept' })
  await keep.write(Buffer.from('keep me'))
  await keep.close()
  const orphan = await t.cs.writer(NS, { ref: 'orphan' })
  await orphan.write(Buffer.from('crashed after commit'))
  await orphan.close()
  const live = await t.cs.writer(NS, { ref: 'live' })
  // As if a commit's transaction ran and the process died before removing the directory.
  t.db.prepare('DELETE FROM ingests WHERE ref IN (?, ?)').run('orphan', 'live')
  mkdirSync(join(t.root, 'ingest', `${'a'.repeat(64)}.removing.123.0`))
  writeFileSync(join(t.root, 'ingest', 'not-an-ingest.txt'), 'left alone')
  const before = ingestNames()
  expect(before).toHaveLength(5)

  expect(sweepIngestDirs(t.root, t.db).removed).toEqual([]) // everything is younger than a minute
  const { removed } = sweepIngestDirs(t.root, t.db, later())
  expect(removed).toHaveLength(2)
  expect(removed.some((n) => n.includes('.removing.'))).toBe(true)
  expect(ingestNames()).toHaveLength(3)

  expect((await t.cs.status(NS, 'kept')).offset).toBe(7)
  // Its row is gone, as after an abort: the writer that still holds the lock removes the directory.
  await live.close()
  expect(ingestNames()).toHaveLength(2)
  const w = await t.cs.writer(NS, { ref: 'orphan' })
  expect((await w.status()).offset).toBe(0)
  await w.close()
})
