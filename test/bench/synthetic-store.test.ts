// The benchmarks' synthetic store must be a store Berth could have made: its blobs carry the gc.ref
// labels an ingest leaves, so garbage collection keeps every blob an image reaches. Without them the
// first collection (bench/scale deletes an image, which collects) removed every layer and config of
// the 100,000 images, left them all partial, and every summary was walked again on the next read.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { gc } from '../../src-main/core/gc'
import { openBerth } from '../../src-main/service/berth'
import { listImages } from '../../src-main/service/images-list'
import { writeSyntheticStore } from '../../bench/synthetic'

const dir = mkdtempSync(join(tmpdir(), 'berth-synthetic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bench/synthetic', () => {
  it('makes a store whose garbage collection removes nothing an image reaches', async () => {
    const berth = openBerth({ root: join(dir, 'root'), host: { os: 'linux', architecture: 'amd64' } })
    try {
      const { blobs } = writeSyntheticStore(berth, { ns: 'default', count: 40, targets: 12, bases: 3 })
      const r = gc(berth.db, { root: berth.storeRoot })
      expect(r.removed).toEqual([])
      expect(r.blobsDeleted).toBe(0)
      const page = await listImages(berth, { namespace: 'default', limit: 100 })
      expect(page.items).toHaveLength(40)
      expect(page.items.every((i) => i.status === 'present')).toBe(true)
      expect(berth.db.prepare('SELECT count(*) FROM content').pluck().get()).toBe(blobs)
    } finally {
      berth.close()
    }
  })
})
