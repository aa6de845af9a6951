// A large blob's bytes start for the disk while it is still being written (a datasync every EARLY_SYNC
// bytes that the writer does not wait for), so commit's fsync, still the durability point, has little
// left to write. The early syncs change nothing that is visible: the same digest checks, and a writer
// closed or committed with one in flight waits for it, and one that fails breaks the writer as a
// failed write does (Linux reports a write-back error once per open file, so commit's fsync might not).
import { createHash, randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EARLY_SYNC } from '../../../src-main/core/content/writer'
import { checkConsistency, expectKind, makeStore, type TestStore } from './helpers'

/** Random bytes: helpers' createContent is deterministic but slow at tens of MiB. */
function content(size: number): { data: Buffer; digest: string } {
  const data = randomBytes(size)
  return { data, digest: `sha256:${createHash('sha256').update(data).digest('hex')}` }
}

const NS = 'early'
let t: TestStore
afterEach(() => {
  vi.restoreAllMocks()
  t.cleanup()
})

async function fileHandlePrototype(): Promise<{ datasync(): Promise<void> }> {
  const fh = await open(join(t.dir, 'probe'), 'w')
  await fh.close()
  return Object.getPrototypeOf(fh) as { datasync(): Promise<void> }
}

describe('early datasync of a large ingest', () => {
  it('starts syncing before commit, and commits the verified blob', async () => {
    t = makeStore()
    const syncs = vi.spyOn(await fileHandlePrototype(), 'datasync')
    const size = EARLY_SYNC + (1 << 20)
    const c = content(size)
    const w = await t.cs.writer(NS, { ref: 'big', desc: { size, digest: c.digest } })
    for (let at = 0; at < size; at += 1 << 20) await w.write(c.data.subarray(at, at + (1 << 20)))
    const before = syncs.mock.calls.length
    await w.commit(size, c.digest)
    expect(before).toBeGreaterThanOrEqual(1)
    expect((await t.cs.info(NS, c.digest)).size).toBe(size)
    checkConsistency(t.root, t.db)
  })

  it('a failed early sync fails the commit, as a failed write does; a new writer resumes', async () => {
    t = makeStore()
    let release: () => void = () => {}
    vi.spyOn(await fileHandlePrototype(), 'datasync').mockImplementation(
      () =>
        new Promise<void>((_, reject) => {
          release = () => reject(Object.assign(new Error('EIO: early sync'), { code: 'EIO' }))
        }),
    )
    const size = EARLY_SYNC + 10
    const c = content(size)
    const w = await t.cs.writer(NS, { ref: 'r', desc: { size, digest: c.digest } })
    await w.write(c.data.subarray(0, EARLY_SYNC))
    await w.write(c.data.subarray(EARLY_SYNC))
    // The commit waits for the sync in flight, and its failure is the commit's.
    let settled = false
    const committing = w.commit(size, c.digest).finally(() => (settled = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(settled).toBe(false)
    release()
    await expectKind(committing, 'unavailable', /EIO/)
    await expectKind(t.cs.info(NS, c.digest), 'not-found')
    vi.restoreAllMocks()
    const again = await t.cs.writer(NS, { ref: 'r', desc: { size, digest: c.digest } })
    expect((await again.status()).offset).toBe(size)
    await again.commit(size, c.digest)
    expect((await t.cs.info(NS, c.digest)).size).toBe(size)
    checkConsistency(t.root, t.db)
  })
})
