// A pull that cannot write fails at once (issue 11 item 6): only a ref held by another writer is worth
// waiting for; a full disk or an unwritable store used to be retried 200 times (≈ 30 s per blob). The
// pulls run through the app's service against a node:http registry on loopback; the store is real, its
// writer() counted.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContentStore } from '../../src-main/core/content/store'
import { isKind } from '../../src-main/core/errors'
import { MemoryCredentialStore } from '../../src-main/core/transfer/registry/credentials'
import { refKey } from '../../src-main/core/transfer/registry/fetch'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { pullJob } from '../../src-main/service/registry'
import { singlePlatformImage, type ImageFixture } from '../fixtures/images'
import { seedFake, startFakeRegistry, type FakeRegistry } from './support/fake-registry'
import { tempDir } from './support/registry'

/** Counts the store's writer() calls: how many times the pull tried to open an ingest. */
function countWriters(b: Berth): { calls: number } {
  const cs = b.content as ContentStore
  const counter = { calls: 0 }
  const real = cs.writer.bind(cs)
  cs.writer = (...args: Parameters<ContentStore['writer']>) => {
    counter.calls++
    return real(...args)
  }
  return counter
}

const pullThroughService = (b: Berth, ref: string) =>
  pullJob(
    b,
    { logins: new MemoryCredentialStore(), transport: { retries: 0 } },
    { namespace: 'default', ref },
  )(new AbortController().signal, () => {})

/** Whether this process may mount a tmpfs (root on Linux): the one way to make a real full disk. */
function tmpfsAvailable(): boolean {
  const probe = tempDir('berth-tmpfs-probe-')
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'none', probe.dir], { encoding: 'utf8' })
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim()
      console.warn(`skipping the full-disk pull: cannot mount a tmpfs here (${why})`)
      return false
    }
    spawnSync('umount', [probe.dir])
    return true
  } finally {
    probe.remove()
  }
}

describe('pull fails at once when the store cannot write', () => {
  let tmp: { dir: string; remove: () => void }
  let reg: FakeRegistry
  let fx: ImageFixture
  let ref: string
  beforeAll(async () => {
    tmp = tempDir('berth-pull-failures-')
    reg = await startFakeRegistry()
    fx = singlePlatformImage({ seed: 'pull-failures' })
    seedFake(reg, 'team/app', '1', fx)
    ref = `${reg.host}/team/app:1`
  })
  afterAll(async () => {
    await reg?.stop()
    tmp?.remove()
  })

  it.skipIf(!tmpfsAvailable())(
    'on a full disk: one attempt, and the message says the disk is full',
    async () => {
      const root = join(tmp.dir, 'full')
      const store = join(root, 'store')
      mkdirSync(store, { recursive: true })
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'none', store]).status).toBe(0)
      try {
        openBerth({ root }).close() // the layout's own files, while there is room
        writeFileSync(join(root, 'store', 'filler'), Buffer.alloc(64 * 1024))
        const fill = spawnSync('dd', ['if=/dev/zero', `of=${join(root, 'store', 'filler2')}`, 'bs=4k'])
        expect(fill.status).not.toBe(0) // dd stops at ENOSPC
        const b = openBerth({ root })
        try {
          const writers = countWriters(b)
          const e = await pullThroughService(b, ref).catch((x: unknown) => x)
          expect(isKind(e, 'unavailable')).toBe(true)
          expect((e as Error).message).toMatch(/no space left on device/)
          expect(writers.calls).toBe(1)
          expect(b.images.list('default')).toEqual([])
        } finally {
          b.close()
        }
      } finally {
        spawnSync('umount', [store])
      }
    },
  )

  it('on a store whose ingest directory cannot be made: one attempt', async () => {
    const root = join(tmp.dir, 'blocked')
    const b = openBerth({ root })
    try {
      rmSync(join(root, 'store', 'ingest'), { recursive: true, force: true })
      writeFileSync(join(root, 'store', 'ingest'), 'not a directory')
      const writers = countWriters(b)
      const e = await pullThroughService(b, ref).catch((x: unknown) => x)
      expect((e as Error).message).toMatch(/ingest/)
      expect(writers.calls).toBe(1)
      expect(b.images.list('default')).toEqual([])
    } finally {
      b.close()
    }
  })

  it('waits for another writer holding the same ref, then pulls', async () => {
    const root = join(tmp.dir, 'held')
    const b = openBerth({ root })
    try {
      // Another writer (here: this test) holds the manifest's ingest, as a concurrent pull would.
      const holder = await b.content.writer('default', {
        ref: refKey(fx.target),
        desc: { size: fx.target.size, digest: fx.target.digest },
      })
      const writers = countWriters(b)
      const pulling = pullThroughService(b, ref)
      await new Promise((r) => setTimeout(r, 300))
      expect(writers.calls).toBeGreaterThan(1)
      await holder.close()
      expect(await pulling).toEqual({ images: [ref] })
      expect(b.images.get('default', ref).target.digest).toBe(fx.target.digest)
    } finally {
      b.close()
    }
  })
})
