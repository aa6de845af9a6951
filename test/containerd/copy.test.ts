// Copying images between Berth's store and a real containerd, as jobs through the handlers the window
// calls, checked with ctr on the same daemon: a sent image passes `ctr images check` and `ctr images
// export` holds the same blobs; content the daemon has is not sent again; some platforms only; an image
// `ctr images import`ed comes into Berth intact; cancel, and a daemon killed mid-copy, leave both sides
// with the images they had, and a second copy after the restart resumes the interrupted blob. The kills
// happen at a set number of bytes read from the source (the copy itself, not the job's coalesced
// progress), so they land mid-layer however fast the machine is.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName, JobDone, JobProgress, SourceInfo } from '../../src-preload/api'
import {
  multiPlatformImage,
  singlePlatformImage,
  writeOCIArchive,
  type ImageFixture,
} from '../fixtures/images'
import { ContainerdConnection } from '../../src-main/core/containerd/client'
import { copyImage, type CopySource } from '../../src-main/core/copy/copy'
import { berthSource, berthTarget, containerdSource, containerdTarget } from '../../src-main/core/copy/ends'
import type { BerthError } from '../../src-main/core/errors'
import { openSession, type Session } from './session'

const NS = 'default'
const DEMO = 'docker.io/library/demo:1.0'
const ARM = 'docker.io/library/armonly:1'
const BIG = 'docker.io/library/big:1'
const FROM_CTR = 'docker.io/library/fromctr:2'

let s: Session | undefined
let cd: SourceInfo
const berth = (namespace = NS) => ({ source: 'berth', namespace })
const daemon = (namespace = NS) => ({ source: cd.id, namespace })

const demo = multiPlatformImage({ name: 'demo', attestation: true, layerSize: 20_000 })
const arm = multiPlatformImage({ name: 'arm', platforms: ['linux/amd64', 'linux/arm64'], layerSize: 30_000 })
const small = singlePlatformImage({ seed: 'small', layerSize: 10_000 })
// Big enough that a copy is still running when the test acts on its first progress event.
const big = singlePlatformImage({ seed: 'big', layers: 1, layerSize: 160 << 20, compression: 'none' })
const fromCtr = multiPlatformImage({
  name: 'fromctr',
  platforms: ['linux/amd64', 'linux/s390x'],
  layerSize: 8000,
})

const digestsOf = (fx: ImageFixture) => [...fx.blobs.keys()].sort()

async function importIntoBerth(file: string): Promise<void> {
  const job = await s!.h['images.import']({ namespace: NS, path: file })
  const done = await s!.waitJob(job.id)
  expect(done.ok, JSON.stringify(done.error)).toBe(true)
}

async function copy(
  req: Parameters<Session['h']['images.copy']>[0],
): Promise<{ done: JobDone; progress: JobProgress[] }> {
  const job = await s!.h['images.copy'](req)
  expect(job.kind).toBe('copy')
  const done = await s!.waitJob(job.id)
  return { done, progress: s!.progress(job.id) }
}

/**
 * Runs `act` once, on the copy job's first progress event: the first is sent at once (later ones are
 * coalesced), when the first blob has only started, so the job is surely still running.
 */
function atFirstProgress(act: () => void): () => void {
  let fired = false
  const l = (event: EventName, payload: unknown) => {
    if (fired || event !== 'job.progress' || (payload as JobProgress).kind !== 'copy') return
    fired = true
    act()
  }
  s!.listeners.push(l)
  return () => s!.listeners.splice(s!.listeners.indexOf(l), 1)
}

/** The source, with `act` run once `bytes` of blob data have been read from it. */
function killedAfter(src: CopySource, bytes: number, act: () => void): CopySource {
  let seen = 0
  return {
    ...src,
    async read(desc, offset, signal) {
      const inner = await src.read(desc, offset, signal)
      return (async function* () {
        for await (const chunk of inner) {
          if (seen < bytes && (seen += chunk.length) >= bytes) act()
          yield chunk
        }
      })()
    },
  }
}

/** The source, recording the offsets the copy asks `digest` from. */
function offsetsOf(src: CopySource, digest: string, asked: number[]): CopySource {
  return {
    ...src,
    read(desc, offset, signal) {
      if (desc.digest === digest) asked.push(offset)
      return src.read(desc, offset, signal)
    },
  }
}

const tarBlobs = (file: string) =>
  spawnSync('tar', ['-tf', file], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => /^blobs\/sha256\/[0-9a-f]{64}$/.test(l))
    .map((l) => `sha256:${l.slice(13)}`)
    .sort()

beforeAll(async () => {
  s = await openSession()
  if (!s) return
  writeOCIArchive(join(s.dir, 'berth.tar'), [
    { fixture: demo, name: DEMO },
    { fixture: arm, name: ARM },
    { fixture: small, name: 'docker.io/library/small:1' },
    { fixture: small, name: 'docker.io/library/small:latest' },
    { fixture: big, name: BIG },
  ])
  await importIntoBerth(join(s.dir, 'berth.tar'))
  writeOCIArchive(join(s.dir, 'ctr.tar'), [{ fixture: fromCtr, name: FROM_CTR }])
  s.d.ctr('-n', NS, 'images', 'import', '--all-platforms', '--no-unpack', join(s.dir, 'ctr.tar'))
  cd = await s.h['sources.add']({ address: s.d.address, namespace: NS })
}, 120_000)

afterAll(async () => {
  await s?.close()
})

describe('Berth → containerd', () => {
  it('sends every platform: ctr images check passes, ctr images export holds the same blobs', async ({
    skip,
  }) => {
    if (!s) return skip()
    const { done, progress } = await copy({ from: berth(), to: daemon(), names: [DEMO] })
    expect(done, JSON.stringify(done.error)).toMatchObject({ ok: true, images: [DEMO] })
    expect(progress.at(-1)?.blobs?.every((b) => b.state === 'done')).toBe(true)
    const line = s.d
      .ctr('-n', NS, 'images', 'check')
      .split('\n')
      .find((l) => l.startsWith(DEMO))
    expect(line).toMatch(/complete \(\d+\/\d+\)/)
    expect(line).toContain(demo.target.digest)
    s.d.ctr('-n', NS, 'images', 'export', '--all-platforms', join(s.dir, 'out.tar'), DEMO)
    expect(tarBlobs(join(s.dir, 'out.tar'))).toEqual(digestsOf(demo))
    // The daemon's GC keeps it all: the parents carry gc.ref labels for what was sent with them.
    const index = s.d
      .ctr('-n', NS, 'content', 'ls')
      .split('\n')
      .find((l) => l.startsWith(demo.target.digest))
    expect(index).toContain('containerd.io/gc.ref.content.m.0=')
    s.d.ctr('-n', NS, 'images', 'tag', DEMO, 'gc-trigger:1')
    s.d.ctr('-n', NS, 'images', 'rm', '--sync', 'gc-trigger:1')
    expect(s.d.ctr('-n', NS, 'images', 'check', `name==${DEMO}`)).toMatch(/complete/)
    expect(s.d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n').length).toBeGreaterThanOrEqual(
      digestsOf(demo).length,
    )
    // Nothing left leased.
    expect(s.d.ctr('-n', NS, 'leases', 'ls', '-q').trim()).toBe('')
  })

  it('sends nothing the daemon has: a second name of the same image moves no bytes', async ({ skip }) => {
    if (!s) return skip()
    const first = await copy({ from: berth(), to: daemon(), names: ['docker.io/library/small:1'] })
    expect(first.done.ok).toBe(true)
    const again = await copy({ from: berth(), to: daemon(), names: ['docker.io/library/small:latest'] })
    expect(again.done.ok).toBe(true)
    const blobs = again.progress.at(-1)?.blobs ?? []
    expect(blobs.length).toBe(small.blobs.size)
    expect(blobs.every((b) => b.state === 'exists')).toBe(true)
    expect(s.ctrNames()).toEqual(
      expect.arrayContaining(['docker.io/library/small:1', 'docker.io/library/small:latest']),
    )
  })

  it('sends some platforms: the index whole, only the chosen manifests and their blobs', async ({ skip }) => {
    if (!s) return skip()
    const { done } = await copy({ from: berth(), to: daemon(), names: [ARM], platforms: ['linux/arm64'] })
    expect(done.ok, JSON.stringify(done.error)).toBe(true)
    const held = new Set(s.d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n'))
    const [amd64, arm64] = arm.images
    expect(held.has(arm.target.digest)).toBe(true)
    for (const d of [arm64.manifest.desc, arm64.config.desc, ...arm64.layers.map((l) => l.desc)])
      expect(held.has(d.digest)).toBe(true)
    for (const d of [amd64.manifest.desc, ...amd64.layers.map((l) => l.desc)])
      expect(held.has(d.digest)).toBe(false)
    // The source of a containerd listing sees it partial, as ctr's check does on this amd64 host.
    await s.h['sources.switch']({ id: cd.id })
    const row = (await s.h['images.list']({ namespace: NS, query: 'armonly' })).items[0]
    expect(row.status).toBe('partial')
    expect(row.platforms.map((p) => [p.platform, p.status])).toEqual([
      ['linux/amd64', 'missing'],
      ['linux/arm64', 'present'],
    ])
    await s.h['sources.switch']({ id: 'berth' })
  })

  it('a cancelled copy leaves no image and no lease on the daemon', async ({ skip }) => {
    if (!s) return skip()
    let id = ''
    const stop = atFirstProgress(() => void s!.h['jobs.cancel']({ id }))
    try {
      const job = await s.h['images.copy']({ from: berth(), to: daemon(), names: [BIG] })
      id = job.id
      const done = await s.waitJob(job.id)
      expect(done).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
    } finally {
      stop()
    }
    expect(s.ctrNames()).not.toContain(BIG)
    expect(s.d.ctr('-n', NS, 'leases', 'ls', '-q').trim()).toBe('')
  })

  it('a daemon killed mid-copy: no image on either side changes; after the restart the copy resumes', async ({
    skip,
  }) => {
    if (!s) return skip()
    const before = s.ctrNames()
    const conn = new ContainerdConnection(s.d.address)
    try {
      const from = berthSource(s.berth, NS)
      // The daemon dies once 32 MiB of the image have left Berth: in the middle of its big layer.
      const e = (await copyImage(
        killedAfter(from, 32 << 20, () => void s!.d.kill()),
        containerdTarget(conn, NS),
        BIG,
      ).catch((x: unknown) => x)) as BerthError
      expect(e.kind).toBe('unavailable')
      expect(e.message).toContain(s.d.address)
      await s.d.start()
      expect(s.ctrNames()).toEqual(before)
      // What was complete before is complete still.
      expect(s.d.ctr('-n', NS, 'images', 'check', 'name~=demo|small')).not.toMatch(/incomplete|missing/)
      // Berth's side is as it was.
      const mine = (await s.h['images.list']({ namespace: NS, query: 'big' })).items[0]
      expect(mine).toMatchObject({ name: BIG, status: 'present' })
      // The interrupted layer's ingest survived under the (expiring) lease; the next copy resumes it.
      const layer = big.images[0].layers[0].desc
      expect(s.d.ctr('-n', NS, 'content', 'active')).toContain(`layer-${layer.digest}`)
      const asked: number[] = []
      const r = await copyImage(offsetsOf(from, layer.digest, asked), containerdTarget(conn, NS), BIG)
      expect(r.image.target.digest).toBe(big.target.digest)
      expect(asked).toHaveLength(1)
      expect(asked[0]).toBeGreaterThan(0)
      expect(asked[0]).toBeLessThan(layer.size)
    } finally {
      conn.close()
    }
    expect(s.d.ctr('-n', NS, 'content', 'active')).not.toContain('layer-')
    expect(s.d.ctr('-n', NS, 'images', 'check', `name==${BIG}`)).toMatch(/complete/)
  }, 120_000)
})

describe('containerd → Berth', () => {
  it('brings an image ctr imported into Berth intact, with gc.ref labels and every digest', async ({
    skip,
  }) => {
    if (!s) return skip()
    const { done } = await copy({ from: daemon(), to: berth(), names: [FROM_CTR] })
    expect(done.ok, JSON.stringify(done.error)).toBe(true)
    const row = (await s.h['images.list']({ namespace: NS, query: 'fromctr' })).items[0]
    expect(row).toMatchObject({ name: FROM_CTR, targetDigest: fromCtr.target.digest, status: 'present' })
    const details = await s.h['images.details']({ namespace: NS, name: FROM_CTR })
    const walk = (n: typeof details.tree): string[] => [n.digest, ...n.children.flatMap(walk)]
    expect([...new Set(walk(details.tree))].sort()).toEqual(digestsOf(fromCtr))
    const labels = s.berth.db
      .prepare(
        "SELECT key FROM content_labels WHERE namespace = ? AND digest = ? AND key LIKE 'containerd.io/gc.ref%'",
      )
      .pluck()
      .all(NS, fromCtr.target.digest)
    expect(labels).toEqual(['containerd.io/gc.ref.content.m.0', 'containerd.io/gc.ref.content.m.1'])
    // Berth's collector keeps all of it, and no lease was left behind.
    expect((await s.h['gc.preview']()).digests.filter((d) => fromCtr.blobs.has(d))).toEqual([])
    expect(s.berth.db.prepare('SELECT count(*) FROM leases').pluck().get()).toBe(0)
  })

  it('a daemon killed mid-copy leaves Berth without the image and without a lease', async ({ skip }) => {
    if (!s) return skip()
    // The big image is on the daemon now (the resumed copy above); bring it back after removing it here.
    await s.h['images.remove']({ namespace: NS, names: [BIG] })
    const conn = new ContainerdConnection(s.d.address)
    let e: BerthError
    try {
      const from = killedAfter(containerdSource(conn, NS), 32 << 20, () => void s!.d.kill())
      e = (await copyImage(from, berthTarget(s.berth, NS), BIG).catch((x: unknown) => x)) as BerthError
    } finally {
      conn.close()
      await s.d.start()
    }
    expect(e.kind).toBe('unavailable')
    expect((await s.h['images.list']({ namespace: NS, query: 'big' })).total).toBe(0)
    expect(s.berth.db.prepare('SELECT count(*) FROM leases').pluck().get()).toBe(0)
    // What it wrote is garbage Berth collects; nothing else is.
    const gc = await s.h['gc.preview']()
    expect(gc.digests.every((d) => big.blobs.has(d) || !digestsOf(demo).includes(d))).toBe(true)
  }, 120_000)

  it('refuses a copy onto itself', async ({ skip }) => {
    if (!s) return skip()
    await expect(
      s.h['images.copy']({ from: daemon(), to: daemon(), names: [FROM_CTR] }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
    })
  })
})
