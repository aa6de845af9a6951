// A containerd daemon as a source, through the same handlers the window calls, side by side with ctr on
// the same daemon: what Berth lists is what `ctr images ls` lists; a label set in Berth shows in ctr and
// one set with ctr shows in Berth; filters are the daemon's; details, raw JSON and content are read
// through the Content service; tag and delete act on the daemon; a daemon that goes away is an
// `unavailable` naming the socket, and Berth's own store keeps working.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BerthError } from '../../src-main/core/errors'
import { mirrorFile } from '../../src-main/service/sources/mirror'
import type { SourceInfo } from '../../src-preload/api'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { openSession, type Session } from './session'

const NS = 'default'
const DEMO = 'docker.io/library/demo:1.0'

let s: Session | undefined
let source: SourceInfo
const shared = singlePlatformImage({ seed: 'shared', platform: 'linux/amd64' })

beforeAll(async () => {
  s = await openSession()
  if (!s) return
  writeOCIArchive(join(s.dir, 'a.tar'), [
    { fixture: multiPlatformImage({ name: 'demo', attestation: true }), name: DEMO },
    { fixture: shared, name: 'docker.io/library/small:1' },
    { fixture: shared, name: 'docker.io/library/small:latest' },
  ])
  s.d.ctr('-n', NS, 'images', 'import', '--all-platforms', '--no-unpack', join(s.dir, 'a.tar'))
}, 60_000)

afterAll(async () => {
  await s?.close()
})

const ctrLine = (name: string) =>
  s!.d
    .ctr('-n', NS, 'images', 'ls')
    .split('\n')
    .find((l) => l.startsWith(`${name} `)) ?? ''

describe('adding and switching to a containerd source', () => {
  it('lists the daemon and its namespaces before adding it', async ({ skip }) => {
    if (!s) return skip()
    const d = await s.h['sources.daemon']({ address: `unix://${s.d.address}` })
    expect(d.address).toBe(s.d.address)
    expect(d.version).not.toBe('')
    expect(d.namespaces.map((n) => n.name)).toContain(NS)
    await expect(s.h['sources.add']({ address: s.d.address, namespace: 'nope' })).rejects.toThrow(
      /has no namespace nope \(it has .*default/,
    )
    // The app has no working directory a user knows of: a relative socket path is refused by name.
    for (const address of ['c.sock', './run/c.sock'])
      await expect(s.h['sources.daemon']({ address })).rejects.toMatchObject({
        kind: 'invalid-argument',
        message: expect.stringMatching(/the socket's full path/),
      })
  })

  it('adds, remembers, and switches; namespaces are the daemon’s', async ({ skip }) => {
    if (!s) return skip()
    source = await s.h['sources.add']({ address: s.d.address, namespace: NS })
    expect(source).toMatchObject({ kind: 'containerd', namespace: NS, address: s.d.address, active: false })
    // Remembered in berth.db: a second service over the same store sees it.
    expect(s.berth.db.prepare('SELECT address FROM sources').pluck().all()).toEqual([s.d.address])
    expect((await s.h['sources.switch']({ id: source.id })).active).toBe(true)
    const list = await s.h['sources.list']()
    expect(list.map((x) => [x.kind, x.active])).toEqual([
      ['berth', false],
      ['containerd', true],
    ])
    const ns = await s.h['namespaces.list']()
    expect(ns.map((n) => n.name)).toEqual(s.d.ctr('namespaces', 'ls', '-q').trim().split('\n').sort())
  })
})

describe('the images of a containerd source', () => {
  it('lists what ctr lists, with platforms, sizes, completeness and labels', async ({ skip }) => {
    if (!s) return skip()
    const page = await s.h['images.list']({ namespace: NS })
    expect(page.items.map((i) => i.name)).toEqual(s.ctrNames())
    const demo = page.items.find((i) => i.name === DEMO)!
    expect(demo).toMatchObject({ kind: 'index', status: 'present' })
    expect(demo.platforms.map((p) => p.platform)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'windows(10.0.20348.1)/amd64',
    ])
    expect(demo.size).toBeGreaterThan(0)
    expect(demo.uniqueSize).toBe(demo.size)
    // ctr's TYPE and DIGEST columns for the same image.
    expect(ctrLine(DEMO)).toContain(demo.targetDigest)
    expect(ctrLine(DEMO)).toContain(demo.targetMediaType)
  })

  it('a label set in Berth shows in ctr images ls; one set with ctr shows in Berth', async ({ skip }) => {
    if (!s) return skip()
    const before = (await s.h['images.list']({ namespace: NS, query: 'demo' })).items[0]
    const after = await s.h['images.setLabels']({
      namespace: NS,
      name: DEMO,
      changes: { env: 'prod', team: 'core' },
      expectedUpdatedAt: before.updatedAt,
    })
    expect(after.labels).toEqual({ env: 'prod', team: 'core' })
    expect(ctrLine(DEMO)).toMatch(/env=prod,team=core/)
    s.d.ctr('-n', NS, 'images', 'label', DEMO, 'owner=ops', 'team=')
    const seen = (await s.h['images.list']({ namespace: NS, query: 'demo' })).items[0]
    expect(seen.labels).toEqual({ env: 'prod', owner: 'ops' })
    // The editor started before ctr's change: Berth refuses, naming the keys.
    await expect(
      s.h['images.setLabels']({
        namespace: NS,
        name: DEMO,
        changes: { env: 'dev' },
        expectedUpdatedAt: after.updatedAt,
      }),
    ).rejects.toMatchObject({ kind: 'conflict', keys: ['env'] })
  })

  it('passes filters to the daemon, and reports one Berth cannot parse with its position', async ({
    skip,
  }) => {
    if (!s) return skip()
    const f = await s.h['images.list']({ namespace: NS, filter: 'labels."env"==prod' })
    expect(f.items.map((i) => i.name)).toEqual([DEMO])
    expect(f.namespaceTotal).toBe(3)
    const regex = await s.h['images.list']({ namespace: NS, filter: 'name~=small', query: 'latest' })
    expect(regex.items.map((i) => i.name)).toEqual(['docker.io/library/small:latest'])
    const bad = await s.h['images.list']({ namespace: NS, filter: 'name==a,,b' })
    expect(bad.filterError?.position).toBe(8)
  })

  it('shows details, the matrix, config and raw JSON read through the Content service', async ({ skip }) => {
    if (!s) return skip()
    const d = await s.h['images.details']({ namespace: NS, name: DEMO })
    expect(d.matrix.cells).toHaveLength(4)
    expect(d.matrix.cells.filter((c) => c.best).map((c) => c.platform)).toEqual(['linux/amd64'])
    expect(d.matrix.attestations).toHaveLength(4)
    expect(d.config?.platform).toBe('linux/amd64')
    expect(d.config?.diffIds.length).toBeGreaterThan(0)
    expect(d.matrix.cells.every((c) => c.uncompressedSize! > 0)).toBe(true)
    const raw = await s.h['images.blob']({ namespace: NS, digest: d.summary.targetDigest })
    expect(JSON.parse(raw.json!).manifests).toHaveLength(8)
    expect(JSON.parse(raw.json!)).toEqual(
      JSON.parse(s.d.ctr('-n', NS, 'content', 'get', d.summary.targetDigest)),
    )
  })

  it('lists content with the images reaching it, and sets content labels on the daemon', async ({ skip }) => {
    if (!s) return skip()
    const c = await s.h['content.list']({ namespace: NS })
    expect(c.items.map((i) => i.digest)).toEqual(
      s.d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n').sort(),
    )
    const layer = c.items.find((i) => i.kind === 'layer' && i.images.includes('docker.io/library/small:1'))!
    expect(layer.images).toEqual(['docker.io/library/small:1', 'docker.io/library/small:latest'])
    const set = await s.h['content.setLabels']({
      namespace: NS,
      digest: layer.digest,
      changes: { 'example.com/note': 'checked' },
      expectedUpdatedAt: layer.updatedAt,
    })
    expect(set.labels['example.com/note']).toBe('checked')
    expect(
      s.d
        .ctr('-n', NS, 'content', 'ls')
        .split('\n')
        .find((l) => l.startsWith(layer.digest)),
    ).toContain('example.com/note=checked')
  })

  it('shows Files of an image in the daemon: layers read through its Content service, indexed in the mirror', async ({
    skip,
  }) => {
    if (!s) return skip()
    const ref = { namespace: NS, name: 'docker.io/library/small:1' }
    const before = await s.h['files.layers'](ref)
    expect(before).toMatchObject({ platform: 'linux/amd64', indexed: false, blocked: null })
    expect(before.layers.map((l) => l.present)).toEqual([true, true])
    const job = await s.h['files.index'](ref)
    expect(await s.waitJob(job.id)).toMatchObject({ ok: true })
    const after = await s.h['files.layers'](ref)
    expect(after.indexed).toBe(true)
    const root = await s.h['files.list']({ namespace: NS, tree: after.tree!, dir: '/' })
    // Each generated layer adds one directory holding seed.txt and data.bin.
    expect(root.entries.map((e) => e.type)).toEqual(['dir', 'dir'])
    const dir = root.entries[0].path
    const inside = await s.h['files.list']({ namespace: NS, tree: after.tree!, dir })
    expect(inside.entries.map((e) => e.name).sort()).toEqual(['data.bin', 'seed.txt'])
    const seed = await s.h['files.read']({ namespace: NS, tree: after.tree!, path: `${dir}/seed.txt` })
    expect(seed.text).toMatch(/^layer seeded with shared/)
    // The proven diff IDs are cached on the daemon's blobs, as containerd's own getDiffID does.
    expect(s.d.ctr('-n', NS, 'content', 'ls')).toContain('containerd.io/uncompressed=sha256:')
  })

  it('tags on the daemon, previews what a delete frees, and deletes with its GC', async ({ skip }) => {
    if (!s) return skip()
    // The target is named as pull names images, as on Berth's own store.
    const COPY = 'docker.io/library/demo:copy'
    const t = await s.h['images.tag']({ namespace: NS, source: DEMO, target: 'demo:copy' })
    expect(t).toMatchObject({ name: COPY, labels: { env: 'prod', owner: 'ops' } })
    expect(s.ctrNames()).toContain(COPY)
    await expect(
      s.h['images.tag']({ namespace: NS, source: DEMO, target: 'demo:copy' }),
    ).rejects.toMatchObject({ kind: 'already-exists', message: expect.stringMatching(/choose Replace/) })
    const one = await s.h['images.removePreview']({ namespace: NS, names: [COPY] })
    expect(one.reclaimBytes).toBe(0)
    const demo = (await s.h['images.list']({ namespace: NS, query: 'demo:1.0' })).items[0]
    const both = await s.h['images.removePreview']({ namespace: NS, names: [COPY, DEMO] })
    expect(both.reclaimBytes).toBe(demo.size)
    const blobsBefore = s.d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n').length
    const r = await s.h['images.remove']({ namespace: NS, names: [COPY, DEMO] })
    expect(r.reclaimedBytes).toBe(demo.size)
    expect(s.ctrNames()).toEqual(['docker.io/library/small:1', 'docker.io/library/small:latest'])
    // The daemon's own synchronous GC took the blobs.
    expect(s.d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n').length).toBe(blobsBefore - r.blobs)
    expect((await s.h['images.list']({ namespace: NS })).items.map((i) => i.name)).toEqual(s.ctrNames())
  })

  it('refuses what only Berth’s own store does, saying how to get there', async ({ skip }) => {
    if (!s) return skip()
    await expect(s.h['images.import']({ namespace: NS, path: '/x.tar' })).rejects.toMatchObject({
      kind: 'not-implemented',
    })
    await expect(s.h['gc.run']()).rejects.toThrow(/collects its own garbage/)
  })

  it('a change ctr makes reaches the UI as store.changed', async ({ skip }) => {
    if (!s) return skip()
    await s.h['images.list']({ namespace: NS })
    const mark = s.events.length
    s.d.ctr('-n', NS, 'images', 'tag', 'docker.io/library/small:1', 'docker.io/library/small:new')
    for (let i = 0; i < 50 && !s.events.slice(mark).some((e) => e.event === 'store.changed'); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(s.events.slice(mark).some((e) => e.event === 'store.changed')).toBe(true)
  })
})

describe('blobs the daemon loses', () => {
  it('a layer ctr removes makes the image partial in Berth, as ctr images check says', async ({ skip }) => {
    if (!s) return skip()
    const SMALL = 'docker.io/library/small:1'
    const status = async () =>
      (await s!.h['images.list']({ namespace: NS, query: 'small:1' })).items.find((i) => i.name === SMALL)
        ?.status
    expect(await status()).toBe('present')
    const mark = s.events.length
    // No image record changes: only the daemon's /content/delete event says anything moved.
    s.d.ctr('-n', NS, 'content', 'rm', shared.images[0].layers[0].desc.digest)
    expect(s.d.ctr('-n', NS, 'images', 'check', `name==${SMALL}`)).toMatch(/incomplete/)
    for (let i = 0; i < 50 && !s.events.slice(mark).some((e) => e.event === 'store.changed'); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(s.events.slice(mark).some((e) => e.event === 'store.changed')).toBe(true)
    expect(await status()).toBe('partial')
  })
})

describe('a daemon that goes away', () => {
  it('is unavailable naming its socket; Berth’s own store keeps working; back once it runs', async ({
    skip,
  }) => {
    if (!s) return skip()
    await s.d.stop()
    try {
      const e = (await s.h['images.list']({ namespace: NS }).catch((x: unknown) => x)) as BerthError
      expect(e.kind).toBe('unavailable')
      expect(e.message).toContain(s.d.address)
      // Switching back works, and so does Berth's own store.
      await s.h['sources.switch']({ id: 'berth' })
      expect((await s.h['images.list']({ namespace: NS })).total).toBe(0)
      // Switching to a daemon that does not answer is refused, and Berth stays active.
      await expect(s.h['sources.switch']({ id: source.id })).rejects.toMatchObject({ kind: 'unavailable' })
      expect((await s.h['sources.list']()).find((x) => x.active)?.id).toBe('berth')
    } finally {
      await s.d.start()
    }
    let back = false
    for (let i = 0; i < 30 && !back; i++) {
      back = await s.h['sources.switch']({ id: source.id }).then(
        () => true,
        () => false,
      )
      if (!back) await new Promise((r) => setTimeout(r, 200))
    }
    expect(back).toBe(true)
    expect((await s.h['images.list']({ namespace: NS })).items.map((i) => i.name)).toEqual(s.ctrNames())
  })

  it('removing the source drops its mirror and returns to Berth', async ({ skip }) => {
    if (!s) return skip()
    expect((await s.h['sources.remove']({ id: source.id })).removed).toBe(true)
    expect((await s.h['sources.list']()).map((x) => x.id)).toEqual(['berth'])
    expect(existsSync(mirrorFile(s.berth.root, s.d.address))).toBe(false)
  })
})
