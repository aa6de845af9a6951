// Windows refuses to fsync a directory (EPERM, or EISDIR/EINVAL on opening one): a commit must not fail
// after its blob was renamed into place, nor leave that file behind without a record. A real I/O error
// there still fails the commit, and the blob goes back to its ingest so the write can resume.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ContentStore } from '../../../src-main/core/content/store'
import { syncLayoutIndex } from '../../../src-main/core/content/layout-index'
import { checkConsistency, createContent, expectKind, makeStore, type TestStore } from './helpers'

const NS = 'dirsync'
let t: TestStore
afterEach(() => t.cleanup())

function failing(code: string): (dir: string) => void {
  return (dir) => {
    throw Object.assign(new Error(`${code}: fsync '${dir}'`), { code })
  }
}

describe('directory fsync', () => {
  for (const code of ['EPERM', 'EISDIR', 'EINVAL']) {
    it(`refused with ${code}: the commit succeeds and leaves no orphan`, async () => {
      t = makeStore()
      const cs = new ContentStore(t.root, t.db, { dirSync: failing(code) })
      const c = createContent(3000)
      const w = await cs.writer(NS, { ref: 'r', desc: { size: 3000, digest: c.digest } })
      await w.write(c.data)
      await w.commit(3000, c.digest)
      expect((await cs.info(NS, c.digest)).size).toBe(3000)
      expect(readdirSync(join(t.root, 'ingest'))).toEqual([])
      await expectKind(cs.status(NS, 'r'), 'not-found')
      checkConsistency(t.root, t.db)
      // The layout's index.json is rewritten through the same best-effort sync.
      expect(syncLayoutIndex(t.db, t.root, failing(code))).toBe(true)
    })
  }

  it('a real I/O error fails the commit; the blob returns to its ingest and the write resumes', async () => {
    t = makeStore()
    let broken = true
    const cs = new ContentStore(t.root, t.db, {
      dirSync: (dir) => {
        if (broken) failing('EIO')(dir)
      },
    })
    const c = createContent(3000)
    const w = await cs.writer(NS, { ref: 'r', desc: { size: 3000, digest: c.digest } })
    await w.write(c.data)
    await expectKind(w.commit(3000, c.digest), 'unavailable', /EIO/)
    await expectKind(cs.info(NS, c.digest), 'not-found')
    expect(existsSync(cs.blobPath(c.digest))).toBe(false)
    expect((await cs.status(NS, 'r')).offset).toBe(3000)
    checkConsistency(t.root, t.db)

    broken = false
    const again = await cs.writer(NS, { ref: 'r', desc: { size: 3000, digest: c.digest } })
    expect((await again.status()).offset).toBe(3000)
    await again.commit(3000, c.digest)
    expect((await cs.info(NS, c.digest)).size).toBe(3000)
    checkConsistency(t.root, t.db)
  })
})
