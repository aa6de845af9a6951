// The delete preview's reverse edges ("which blobs or images name this digest in a gc label") are read
// through the label tables' value indexes. SQLite, left to choose, took the (namespace, key, value) index
// over the key range 'containerd.io/gc.*' instead: every lookup read every gc label of the namespace,
// so one preview over a store of 20,000 images took 0.3-0.9 s (bench/scale: p95 3.1 s at 100,000).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { listImages } from '../../src-main/service/images-list'
import { removePreview } from '../../src-main/service/remove-preview'
import { syntheticName, writeSyntheticStore } from '../../bench/synthetic'
import { recordStatements } from './recorded-statements'

const NS = 'default'
let dir: string
let berth: Berth

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-gc-view-plans-'))
  berth = openBerth({ root: join(dir, 'root'), host: { os: 'linux', architecture: 'amd64' } })
  writeSyntheticStore(berth, { ns: NS, count: 200, targets: 50, bases: 4 })
  await listImages(berth, { namespace: NS, limit: 1 })
})

afterAll(() => {
  berth?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the delete preview', () => {
  it('finds the labels naming a digest through the value indexes, never a range over every gc label', () => {
    const { db: proxy, runs } = recordStatements(berth.db)
    removePreview({ ...berth, db: proxy }, { namespace: NS, names: [syntheticName(7)] })
    const byValue = runs.filter((r) => /_labels\b[^]*\bvalue = \?/.test(r.sql))
    expect(byValue.length).toBeGreaterThan(0)
    for (const r of byValue) {
      const plan = (berth.db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`).all(...r.params) as { detail: string }[])
        .map((p) => p.detail)
        .join('; ')
      expect(plan, r.sql).toMatch(/_labels_by_value \(namespace=\? AND value=\?\)/)
    }
  })
})

describe('shared writers', () => {
  // GC asks this for every unreferenced blob file it is about to delete, and the preview for every blob
  // it would free: neither may read the whole ingests table each time.
  it('are found by the blob they will commit through an index, in any namespace', () => {
    const sqls = [
      'SELECT 1 FROM content WHERE digest = @d UNION ALL SELECT 1 FROM ingests WHERE expected = @d LIMIT 1',
      'SELECT namespace, ref, backend_ref, lease, expires_at FROM ingests WHERE expected = @d',
    ]
    for (const sql of sqls) {
      const plan = (
        berth.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ d: 'sha256:00' }) as { detail: string }[]
      )
        .map((p) => p.detail)
        .join('; ')
      expect(plan, sql).toMatch(/ingests USING (COVERING )?INDEX ingests_by_expected_blob \(expected=\?\)/)
      expect(plan, sql).not.toMatch(/SCAN ingests/)
    }
  })
})
