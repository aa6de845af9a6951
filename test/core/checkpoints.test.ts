// Bulk writers checkpoint once, not every 4 MiB: a real SQLite file in WAL mode, its -wal file measured.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BULK_WAL_PAGES,
  DEFAULT_WAL_PAGES,
  bulkWrites,
  walAutocheckpoint,
} from '../../src-main/core/checkpoints'
import { openDatabase, type Database } from '../../src-main/core/db'
import { indexImageFiles } from '../../src-main/core/files/index-image'
import { stackedImage } from '../fixtures/layers'
import { DEMO_LAYERS } from '../files/demo-image'
import { imageLayers, memoryProvider } from '../files/helpers'

let dir: string
let file: string
let db: Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-ckpt-'))
  file = join(dir, 'berth.db')
  db = openDatabase(file)
  db.exec('CREATE TABLE bulk (n INTEGER PRIMARY KEY, data TEXT NOT NULL)')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const walBytes = () => statSync(`${file}-wal`).size
/** [busy, frames in the WAL, frames checkpointed], as SQLite reports a passive checkpoint. */
const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]
/** Commits of ~1 MiB each, one per call: what a bulk writer's batches look like. */
const commit = (i: number) =>
  db.prepare('INSERT INTO bulk (n, data) VALUES (?, ?)').run(i, 'x'.repeat(1 << 20))

describe('bulkWrites', () => {
  it('lets the WAL grow past 4 MiB while it runs, then checkpoints it once', async () => {
    expect(walAutocheckpoint(db)).toBe(DEFAULT_WAL_PAGES)
    let during = 0
    await bulkWrites(db, async () => {
      expect(walAutocheckpoint(db)).toBe(BULK_WAL_PAGES)
      for (let i = 0; i < 12; i++) commit(i)
      during = walBytes()
    })
    // Twelve 1 MiB commits: with the default threshold the WAL would have been reset near 4 MiB.
    expect(during).toBeGreaterThan(10 << 20)
    expect(walAutocheckpoint(db)).toBe(DEFAULT_WAL_PAGES)
    const f = walFrames()
    expect(f.checkpointed).toBe(f.log)
    expect(db.prepare('SELECT count(*) FROM bulk').pluck().get()).toBe(12)
  })

  it('outside it, SQLite checkpoints on its own as before', () => {
    for (let i = 0; i < 12; i++) commit(i)
    expect(walBytes()).toBeLessThan(7 << 20)
  })

  it('nested and overlapping writers: the threshold comes back when the last one ends, even on failure', async () => {
    let release!: () => void
    const long = bulkWrites(db, () => new Promise<void>((r) => (release = r)))
    await expect(
      bulkWrites(db, async () => {
        commit(1)
        throw new Error('a failed job')
      }),
    ).rejects.toThrow('a failed job')
    expect(walAutocheckpoint(db)).toBe(BULK_WAL_PAGES)
    release()
    await long
    expect(walAutocheckpoint(db)).toBe(DEFAULT_WAL_PAGES)
  })

  it('indexing an image’s files runs as a bulk writer', async () => {
    const fx = stackedImage('demo:1', DEMO_LAYERS)
    let seen = 0
    await indexImageFiles(db, memoryProvider(fx.blobs), imageLayers(fx.images[0]), {
      progress: () => (seen = walAutocheckpoint(db)),
    })
    expect(seen).toBe(BULK_WAL_PAGES)
    expect(walAutocheckpoint(db)).toBe(DEFAULT_WAL_PAGES)
  })
})
