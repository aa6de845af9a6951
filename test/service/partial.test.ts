// Honest presence and sizes: an image whose blobs are partly missing is listed as partial, its matrix
// cells say which platforms are complete, and a blob arriving later refreshes the summary.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBlob } from '../../src-main/core/content/store'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { createHandlers, type Handlers } from '../../src-main/service/index'
import { multiPlatformImage, singlePlatformImage, type ImageFixture } from '../fixtures/images'

let dir: string
let berth: Berth
let h: Handlers

async function store(fx: ImageFixture, skip: (d: string) => boolean = () => false): Promise<void> {
  for (const [digest, data] of fx.blobs) {
    if (skip(digest)) continue
    await writeBlob(berth.content, 'default', `ref-${digest}`, data, {
      digest,
      size: data.length,
      mediaType: 'application/octet-stream',
    })
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-partial-'))
  berth = openBerth({ root: dir, host: { os: 'linux', architecture: 'arm64' } })
  h = createHandlers(berth, { emit: () => {}, appInfo: () => ({}) as never })
})

afterAll(() => {
  berth.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('presence', () => {
  it('marks a platform partial when one of its layers is missing, and refreshes when it arrives', async () => {
    const fx = multiPlatformImage({ name: 'p', platforms: ['linux/amd64', 'linux/arm64'] })
    const missingLayer = fx.images[1].layers[0].desc.digest
    await store(fx, (d) => d === missingLayer)
    berth.images.create('default', { name: 'p:1', labels: {}, target: fx.target })
    let s = (await h['images.list']({ namespace: 'default', query: 'p:1' })).items[0]
    expect(s.status).toBe('partial')
    expect(s.platforms.map((p) => [p.platform, p.status])).toEqual([
      ['linux/amd64', 'present'],
      ['linux/arm64', 'partial'],
    ])
    const d = await h['images.details']({ namespace: 'default', name: 'p:1' })
    const arm = d.matrix.cells.find((c) => c.platform === 'linux/arm64')!
    expect(arm).toMatchObject({ status: 'partial', best: true, runnable: true, uncompressedSize: null })
    expect(d.matrix.cells.find((c) => c.platform === 'linux/amd64')?.runnable).toBe(false)

    await store(fx, (d) => d !== missingLayer)
    s = (await h['images.list']({ namespace: 'default', query: 'p:1' })).items[0]
    expect(s.status).toBe('present')
    expect(s.platforms.every((p) => p.status === 'present')).toBe(true)
  })

  it('lists an image whose target is absent as missing, with nothing present', async () => {
    const fx = singlePlatformImage({ seed: 'ghost' })
    berth.images.create('default', { name: 'ghost:1', labels: {}, target: fx.target })
    const s = (await h['images.list']({ namespace: 'default', query: 'ghost' })).items[0]
    expect(s).toMatchObject({ status: 'missing', size: 0, uniqueSize: 0, platforms: [] })
    const d = await h['images.details']({ namespace: 'default', name: 'ghost:1' })
    expect(d.tree.present).toBe(false)
    expect(d.config).toBeNull()
  })

  it('takes a single-manifest image platform from its config', async () => {
    const fx = singlePlatformImage({ seed: 'arm', platform: 'linux/arm/v7' })
    await store(fx)
    berth.images.create('default', { name: 'arm:1', labels: {}, target: fx.target })
    const s = (await h['images.list']({ namespace: 'default', query: 'arm:1' })).items[0]
    expect(s).toMatchObject({
      kind: 'manifest',
      status: 'present',
      platforms: [{ platform: 'linux/arm/v7', status: 'present' }],
    })
    expect(s.size).toBe([...fx.blobs.values()].reduce((a, b) => a + b.length, 0))
  })
})
