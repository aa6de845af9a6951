// The app's use cases over a real store on disk: a generated multi-platform archive imported through the
// same handlers the window and the e2e bridge call, then listed, inspected, labelled, tagged and removed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobDone } from '../../src-preload/api'
import { openBerth, type Berth } from '../../src-main/service/berth'
import type { Handlers } from '../../src-main/service/index'
import { testHandlers, waitJob as waitRecorded, type Recorded } from './handlers'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../fixtures/images'

const HOST = { os: 'linux', architecture: 'amd64' }
let dir: string
let berth: Berth
let h: Handlers
const events: Recorded[] = []

const waitJob = (id: string): Promise<JobDone> => waitRecorded(events, id)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-svc-'))
  berth = openBerth({ root: join(dir, 'root'), host: HOST })
  h = testHandlers(berth, events)
  const multi = multiPlatformImage({ name: 'multi', attestation: true })
  const shared = singlePlatformImage({ seed: 'shared', platform: 'linux/amd64' })
  writeOCIArchive(join(dir, 'a.tar'), [
    { fixture: multi, name: 'docker.io/library/demo:1.0' },
    { fixture: shared, name: 'docker.io/library/small:1' },
    { fixture: shared, name: 'docker.io/library/small:latest' },
  ])
  const job = await h['images.import']({ namespace: 'default', path: join(dir, 'a.tar') })
  const done = await waitJob(job.id)
  expect(done.ok, JSON.stringify(done.error)).toBe(true)
  expect(done.images).toHaveLength(3)
})

afterAll(() => {
  berth?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('images.list', () => {
  it('lists summaries with platforms, sizes and unique sizes', async () => {
    const page = await h['images.list']({ namespace: 'default' })
    expect(page.total).toBe(3)
    const demo = page.items.find((i) => i.name === 'docker.io/library/demo:1.0')!
    expect(demo).toMatchObject({
      repository: 'docker.io/library/demo',
      tag: '1.0',
      kind: 'index',
      status: 'present',
    })
    expect(demo.platforms.map((p) => p.platform)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'windows(10.0.20348.1)/amd64',
    ])
    expect(demo.size).toBeGreaterThan(0)
    // Nothing of demo is shared: all of it is unique. The two small tags share everything: none unique.
    expect(demo.uniqueSize).toBe(demo.size)
    const small = page.items.filter((i) => i.repository === 'docker.io/library/small')
    expect(small.map((s) => s.uniqueSize)).toEqual([0, 0])
    expect(small[0].size).toBeGreaterThan(0)
  })

  it('filters, searches, sorts and pages', async () => {
    const f = await h['images.list']({ namespace: 'default', filter: 'name~=small' })
    expect(f.items.map((i) => i.name)).toEqual([
      'docker.io/library/small:1',
      'docker.io/library/small:latest',
    ])
    const q = await h['images.list']({ namespace: 'default', query: 'DEMO' })
    expect(q.total).toBe(1)
    const s = await h['images.list']({
      namespace: 'default',
      sort: { key: 'size', direction: 'desc' },
      limit: 1,
      offset: 0,
    })
    expect(s.items[0].name).toBe('docker.io/library/demo:1.0')
    expect(s.total).toBe(3)
  })

  it('returns a parse error with its position instead of throwing', async () => {
    const r = await h['images.list']({ namespace: 'default', filter: 'name==a,,b' })
    expect(r.items).toEqual([])
    expect(r.filterError?.position).toBe(8)
    expect(r.filterError?.message).toMatch(/filters: parse error/)
    expect(r.namespaceTotal).toBe(3)
  })
})

describe('images.details', () => {
  it('builds the matrix with the host best match and attestations apart', async () => {
    const d = await h['images.details']({ namespace: 'default', name: 'docker.io/library/demo:1.0' })
    expect(d.matrix.cells).toHaveLength(4)
    expect(d.matrix.rows.map((r) => r.label)).toEqual(['linux', 'windows(10.0.20348.1)'])
    const best = d.matrix.cells.filter((c) => c.best)
    expect(best.map((c) => c.platform)).toEqual(['linux/amd64'])
    expect(d.matrix.cells.find((c) => c.platform === 'linux/arm64')?.runnable).toBe(false)
    expect(d.matrix.attestations).toHaveLength(4)
    expect(d.matrix.attestations.every((a) => a.platform !== null && a.predicateTypes.length === 1)).toBe(
      true,
    )
    expect(d.matrix.cells.every((c) => c.attestations.length === 1 && c.uncompressedSize! > 0)).toBe(true)
    expect(d.config?.platform).toBe('linux/amd64')
    const blob = await h['images.blob']({ namespace: 'default', digest: d.summary.targetDigest })
    expect(JSON.parse(blob.json!).manifests).toHaveLength(8)
  })
})

describe('labels', () => {
  it('sets and removes per key, and refuses a stale edit as a conflict naming the keys', async () => {
    const before = (await h['images.list']({ namespace: 'default', query: 'demo' })).items[0]
    const after = await h['images.setLabels']({
      namespace: 'default',
      name: before.name,
      changes: { env: 'prod', team: 'core' },
      expectedUpdatedAt: before.updatedAt,
    })
    expect(after.labels).toEqual({ env: 'prod', team: 'core' })
    const row = berth.db
      .prepare("SELECT value FROM image_labels WHERE name = ? AND key = 'env'")
      .pluck()
      .get(before.name)
    expect(row).toBe('prod')
    await expect(
      h['images.setLabels']({
        namespace: 'default',
        name: before.name,
        changes: { env: 'dev' },
        expectedUpdatedAt: before.updatedAt,
      }),
    ).rejects.toMatchObject({ kind: 'conflict', keys: ['env'] })
    const removed = await h['images.setLabels']({
      namespace: 'default',
      name: before.name,
      changes: { team: null },
      expectedUpdatedAt: after.updatedAt,
    })
    expect(removed.labels).toEqual({ env: 'prod' })
    const f = await h['images.list']({ namespace: 'default', filter: 'labels."env"==prod' })
    expect(f.items.map((i) => i.name)).toEqual([before.name])
  })
})

describe('import again', () => {
  it('keeps the labels set since, as containerd updates only the target', async () => {
    const job = await h['images.import']({ namespace: 'default', path: join(dir, 'a.tar') })
    const done = await waitJob(job.id)
    expect(done.ok, JSON.stringify(done.error)).toBe(true)
    const demo = (await h['images.list']({ namespace: 'default', query: 'demo:1.0' })).items[0]
    expect(demo.labels).toEqual({ env: 'prod' })
  })
})

describe('content, tag, remove and gc', () => {
  it('lists blobs with kinds and the images reaching them', async () => {
    const c = await h['content.list']({ namespace: 'default' })
    expect(c.total).toBeGreaterThan(10)
    expect(c.items.some((i) => i.kind === 'attestation')).toBe(true)
    const layer = c.items.find((i) => i.kind === 'layer' && i.images.includes('docker.io/library/small:1'))
    expect(layer?.images).toEqual(['docker.io/library/small:1', 'docker.io/library/small:latest'])
  })

  it('tags, previews the bytes a delete frees, removes and collects', async () => {
    const t = await h['images.tag']({
      namespace: 'default',
      source: 'docker.io/library/demo:1.0',
      target: 'demo:copy',
    })
    // Named as pull names images, as the CLI's tag does.
    expect(t.name).toBe('docker.io/library/demo:copy')
    expect(t.targetDigest).toBe(
      (await h['images.list']({ namespace: 'default', query: 'demo:1.0' })).items[0].targetDigest,
    )
    await expect(
      h['images.tag']({ namespace: 'default', source: 'docker.io/library/demo:1.0', target: 'demo:copy' }),
    ).rejects.toMatchObject({ kind: 'already-exists' })
    // Shared by two names now: deleting one frees nothing; deleting both frees everything of demo.
    const one = await h['images.removePreview']({
      namespace: 'default',
      names: ['docker.io/library/demo:copy'],
    })
    expect(one.reclaimBytes).toBe(0)
    const demo = (await h['images.list']({ namespace: 'default', query: 'demo:1.0' })).items[0]
    const both = await h['images.removePreview']({
      namespace: 'default',
      names: ['docker.io/library/demo:copy', demo.name],
    })
    expect(both.reclaimBytes).toBe(demo.size)
    expect((await h['images.list']({ namespace: 'default' })).total).toBe(4)
    const r = await h['images.remove']({
      namespace: 'default',
      names: ['docker.io/library/demo:copy', demo.name],
    })
    expect(r.reclaimedBytes).toBeGreaterThanOrEqual(demo.size)
    expect((await h['images.list']({ namespace: 'default' })).items.map((i) => i.name)).toEqual([
      'docker.io/library/small:1',
      'docker.io/library/small:latest',
    ])
    expect((await h['gc.preview']()).blobs).toBe(0)
  })

  it('exports a job that writes an archive', async () => {
    const job = await h['images.export']({
      namespace: 'default',
      names: ['docker.io/library/small:1'],
      path: join(dir, 'out.tar'),
    })
    const done = await waitJob(job.id)
    expect(done).toMatchObject({ ok: true, path: join(dir, 'out.tar') })
  })
})
