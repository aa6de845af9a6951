// Configuration 1: docker-registry without authentication over plain HTTP on 127.0.0.1. Pull one
// platform, several and all; push and pull back byte-identical; skipped and mounted blobs; and,
// through a misbehaving proxy, resumed downloads, lying registries and 429 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import { isRegistryError } from '../../src-main/core/transfer/registry/errors'
import { pull } from '../../src-main/core/transfer/registry/pull'
import { push } from '../../src-main/core/transfer/registry/push'
import { inspectRemote } from '../../src-main/core/transfer/registry/remote'
import type { BlobProgress } from '../../src-main/core/transfer/registry/fetch'
import { multiPlatformImage, platformOf, type ImageFixture } from '../fixtures/images'
import { startProxy, type Proxy } from './support/proxy'
import { hasRegistry, startRegistry, type RunningRegistry } from './support/registry'
import { blobBytes, loadFixture, openStores, seedRegistry, type Stores } from './support/stores'

const HOST = platformOf('linux/amd64')
const present = hasRegistry()

describe.skipIf(!present)('registry without auth over HTTP', () => {
  let reg: RunningRegistry
  let fx: ImageFixture
  const opened: Stores[] = []
  const stores = (): Stores => {
    const s = openStores()
    opened.push(s)
    return s
  }

  beforeAll(async () => {
    reg = await startRegistry()
    fx = multiPlatformImage({
      name: 'multi',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      layerSize: 48 * 1024,
    })
    await seedRegistry(reg.url, 'test/multi', 'v1', fx)
  })
  afterAll(async () => {
    for (const s of opened) s.close()
    await reg?.stop()
  })

  const blobsOf = (fxi: ImageFixture, platform: string): string[] => {
    const img = fxi.images.find(
      (i) =>
        `${i.platform.os}/${i.platform.architecture}${i.platform.variant ? '/' + i.platform.variant : ''}` ===
        platform,
    )!
    return [img.manifest.desc.digest, img.config.desc.digest, ...img.layers.map((l) => l.desc.digest)]
  }
  const has = async (s: Stores, d: string): Promise<boolean> =>
    s.cs.info(s.ns, d).then(
      () => true,
      () => false,
    )

  it('pulls the host platform only by default, with source and gc.ref labels, image record last', async () => {
    const s = stores()
    const events: BlobProgress[] = []
    const { image } = await pull({
      ...s,
      ref: `${reg.host}/test/multi:v1`,
      host: HOST,
      onProgress: (p) => events.push(p),
    })
    expect(image.name).toBe(`${reg.host}/test/multi:v1`)
    expect(image.target.digest).toBe(fx.target.digest)
    for (const d of blobsOf(fx, 'linux/amd64')) expect(await has(s, d)).toBe(true)
    for (const d of blobsOf(fx, 'linux/arm64')) expect(await has(s, d)).toBe(false)
    const index = await s.cs.info(s.ns, fx.target.digest)
    expect(index.labels['containerd.io/distribution.source.127.0.0.1']).toBe('test/multi')
    // containerd labels every child of the index, pulled or not.
    expect(
      Object.keys(index.labels).filter((k) => k.startsWith('containerd.io/gc.ref.content.m.')),
    ).toHaveLength(3)
    const amd = fx.images[0]
    const man = await s.cs.info(s.ns, amd.manifest.desc.digest)
    expect(man.labels['containerd.io/gc.ref.content.config']).toBe(amd.config.desc.digest)
    expect(man.labels['containerd.io/gc.ref.content.l.0']).toBe(amd.layers[0].desc.digest)
    const layerEvents = events.filter((e) => e.digest === amd.layers[0].desc.digest)
    expect(layerEvents.at(-1)?.state).toBe('done')
    expect(layerEvents.at(-1)?.offset).toBe(amd.layers[0].desc.size)
  })

  it('pulls several platforms, and all', async () => {
    const s = stores()
    await pull({
      ...s,
      ref: `${reg.host}/test/multi:v1`,
      platforms: [platformOf('linux/arm64'), platformOf('linux/arm/v7')],
    })
    for (const d of [...blobsOf(fx, 'linux/arm64'), ...blobsOf(fx, 'linux/arm/v7')])
      expect(await has(s, d)).toBe(true)
    for (const d of blobsOf(fx, 'linux/amd64')) expect(await has(s, d)).toBe(false)
    const all = stores()
    await pull({ ...all, ref: `${reg.host}/test/multi:v1`, platforms: 'all' })
    for (const [d, data] of fx.blobs) expect(blobBytes(all, d).equals(Buffer.from(data))).toBe(true)
  })

  it('merges distribution.source repositories sorted and de-duplicated', async () => {
    const s = stores()
    await seedRegistry(reg.url, 'another/copy', 'v1', fx)
    await pull({ ...s, ref: `${reg.host}/test/multi:v1`, host: HOST })
    await pull({ ...s, ref: `${reg.host}/another/copy:v1`, host: HOST })
    await pull({ ...s, ref: `${reg.host}/test/multi:v1`, host: HOST })
    const info = await s.cs.info(s.ns, fx.images[0].layers[0].desc.digest)
    expect(info.labels['containerd.io/distribution.source.127.0.0.1']).toBe('another/copy,test/multi')
    expect(s.images.list(s.ns).map((i) => i.name)).toEqual([
      `${reg.host}/another/copy:v1`,
      `${reg.host}/test/multi:v1`,
    ])
  })

  it('pushes an image and pulls it back byte-identical', async () => {
    const src = stores()
    await loadFixture(src, fx, 'local/multi:1')
    const r = await push({ ...src, name: 'local/multi:1', ref: `${reg.host}/round/trip:1` })
    expect(r.desc.digest).toBe(fx.target.digest)
    expect(r.uploaded).toContain(fx.target.digest)
    const dst = stores()
    const { image } = await pull({ ...dst, ref: `${reg.host}/round/trip:1`, platforms: 'all' })
    expect(image.target).toEqual(fx.target)
    for (const [d, data] of fx.blobs) expect(blobBytes(dst, d).equals(Buffer.from(data))).toBe(true)
  })

  it('pushes in chunks', async () => {
    const src = stores()
    const big = multiPlatformImage({ seed: 'chunky', platforms: ['linux/amd64'], layerSize: 300 * 1024 })
    await loadFixture(src, big, 'local/chunky:1')
    const r = await push({
      ...src,
      name: 'local/chunky:1',
      ref: `${reg.host}/chunky/img:1`,
      chunkSize: 64 * 1024,
    })
    expect(r.uploaded.length).toBe(big.blobs.size)
    const dst = stores()
    await pull({ ...dst, ref: `${reg.host}/chunky/img:1`, platforms: 'all' })
    for (const [d, data] of big.blobs) expect(blobBytes(dst, d).equals(Buffer.from(data))).toBe(true)
  })

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses a push concurrency of %s instead of waiting forever',
    async (n) => {
      const src = stores()
      await loadFixture(src, fx, 'local/multi:1')
      await expect(
        push({ ...src, name: 'local/multi:1', ref: `${reg.host}/never/pushed:1`, concurrency: n }),
      ).rejects.toMatchObject({ kind: 'invalid-argument', message: expect.stringContaining('concurrency') })
    },
  )

  it('skips blobs the registry has and mounts blobs from a sibling repository', async () => {
    const src = stores()
    const img = multiPlatformImage({ seed: 'mountable', platforms: ['linux/amd64', 'linux/arm64'] })
    await loadFixture(src, img, 'local/m:1')
    const first = await push({ ...src, name: 'local/m:1', ref: `${reg.host}/team/app/one:1` })
    const leaves = [...img.blobs.keys()].filter((d) => !isDoc(img, d))
    expect(first.skipped).toEqual([])
    expect(first.uploaded.length).toBe(img.blobs.size)
    const again = await push({ ...src, name: 'local/m:1', ref: `${reg.host}/team/app/one:1` })
    expect(again.skipped.sort()).toEqual([...leaves].sort())
    expect(again.uploaded.filter((d) => !isDoc(img, d))).toEqual([])
    // A fresh store that pulled from team/app/one knows the source: pushing elsewhere mounts.
    const other = stores()
    await pull({ ...other, ref: `${reg.host}/team/app/one:1`, platforms: 'all' })
    const third = await push({
      ...other,
      name: `${reg.host}/team/app/one:1`,
      ref: `${reg.host}/team/app/two:1`,
    })
    expect(third.mounted.sort()).toEqual([...leaves].sort())
    expect(third.uploaded.filter((d) => !isDoc(img, d))).toEqual([])
    const back = stores()
    await pull({ ...back, ref: `${reg.host}/team/app/two:1`, platforms: 'all' })
    for (const [d, data] of img.blobs) expect(blobBytes(back, d).equals(Buffer.from(data))).toBe(true)
  })

  it('lists the platforms of a remote image without storing anything', async () => {
    const r = await inspectRemote(`${reg.host}/test/multi:v1`)
    expect(r.desc).toEqual(fx.target)
    expect(r.platforms).toEqual(fx.images.map((i) => i.platform))
    const single = multiPlatformImage({ seed: 'single', platforms: ['linux/arm/v7'] })
    const lone = { ...single, target: single.images[0].manifest.desc, indexes: [] }
    lone.blobs = new Map([...single.blobs].filter(([d]) => d !== single.target.digest))
    await seedRegistry(reg.url, 'test/single', 'v1', lone)
    const r2 = await inspectRemote(`${reg.host}/test/single:v1`)
    expect(r2.desc.digest).toBe(single.images[0].manifest.desc.digest)
    expect(r2.platforms).toEqual([{ os: 'linux', architecture: 'arm', variant: 'v7' }])
  })

  it('pushes a single-platform pull only for what is local, naming what is missing', async () => {
    const s = stores()
    await pull({ ...s, ref: `${reg.host}/test/multi:v1`, host: HOST })
    const e = await push({ ...s, name: `${reg.host}/test/multi:v1`, ref: `${reg.host}/partial/img:1` }).catch(
      (x: unknown) => x,
    )
    expect(isKind(e, 'not-found')).toBe(true)
    expect((e as Error).message).toMatch(/--all-platforms/)
    // One platform: its manifest alone, as `ctr push --platform` does (issue 14.4).
    const ok = await push({
      ...s,
      name: `${reg.host}/test/multi:v1`,
      ref: `${reg.host}/partial/img:1`,
      platforms: [HOST],
    })
    expect(ok.desc.digest).toBe(fx.images[0].manifest.desc.digest)
    const back = stores()
    const { image } = await pull({ ...back, ref: `${reg.host}/partial/img:1`, host: HOST })
    expect(image.target.digest).toBe(fx.images[0].manifest.desc.digest)
  })

  it('reports unknown repositories and tags as NotFound with the registry reason', async () => {
    const s = stores()
    const e1 = await pull({ ...s, ref: `${reg.host}/no/such:v1` }).catch((e: unknown) => e)
    expect(isKind(e1, 'not-found')).toBe(true)
    expect(isRegistryError(e1)).toBe(true)
    const e2 = await pull({ ...s, ref: `${reg.host}/test/multi:nope` }).catch((e: unknown) => e)
    expect(isKind(e2, 'not-found')).toBe(true)
    expect((e2 as Error).message).toMatch(/manifest unknown/)
    expect(s.images.list(s.ns)).toEqual([])
  })

  describe('through a misbehaving proxy', () => {
    let proxy: Proxy
    let big: ImageFixture
    beforeAll(async () => {
      proxy = await startProxy(reg)
      big = multiPlatformImage({
        seed: 'big',
        platforms: ['linux/amd64'],
        layers: 1,
        layerSize: 2 * 1024 * 1024,
      })
      await seedRegistry(reg.url, 'test/big', 'v1', big)
    })
    afterAll(async () => {
      await proxy?.stop()
    })
    const layerOf = (f: ImageFixture) => f.images[0].layers[0].desc

    it('resumes a blob download cut in the middle with a Range request from the ingest offset', async () => {
      const s = stores()
      const layer = layerOf(big)
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${layer.digest}`),
        cutAfter: 700_000,
      })
      proxy.log.length = 0
      await pull({ ...s, ref: `${proxy.host}/test/big:v1` })
      const gets = proxy.log.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${layer.digest}`))
      expect(gets.length).toBe(2)
      expect(gets[0].range).toBeUndefined()
      const from = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1])
      expect(from).toBeGreaterThan(0)
      expect(from).toBeLessThanOrEqual(700_000)
      expect(blobBytes(s, layer.digest).equals(Buffer.from(big.blobs.get(layer.digest)!))).toBe(true)
      expect(await s.cs.listStatuses(s.ns)).toEqual([])
    })

    it('writes a blob to its ingest in a few large writes, not one per socket chunk', async () => {
      const s = stores()
      const layer = layerOf(big)
      const sizes: number[] = []
      const open = s.cs.writer.bind(s.cs)
      s.cs.writer = async (ns, opts) => {
        const w = await open(ns, opts)
        if (opts.ref !== `layer-${layer.digest}`) return w
        const write = w.write.bind(w)
        w.write = (data) => {
          sizes.push(data.length)
          return write(data)
        }
        return w
      }
      await pull({ ...s, ref: `${reg.host}/test/big:v1` })
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(layer.size)
      // 2 MiB arrives in 64 KiB socket chunks; each write costs a file-system round trip and a lookup.
      expect(sizes.length).toBeLessThanOrEqual(4)
      expect(blobBytes(s, layer.digest).equals(Buffer.from(big.blobs.get(layer.digest)!))).toBe(true)
    })

    it('keeps a broken download as an ingest that the next pull resumes', async () => {
      const s = stores()
      const layer = layerOf(big)
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${layer.digest}`),
        cutAfter: 500_000,
        times: 1,
      })
      // One attempt only: the pull fails, and what arrived stays in the ingest.
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${layer.digest}`),
        respond: { status: 503 },
        times: 20,
      })
      const e = await pull({ ...s, ref: `${proxy.host}/test/big:v1`, registry: { retries: 0 } }).catch(
        (x: unknown) => x,
      )
      expect(e).toBeInstanceOf(Error)
      expect(s.images.list(s.ns)).toEqual([])
      const [st] = await s.cs.listStatuses(s.ns)
      expect(st.ref).toBe(`layer-${layer.digest}`)
      expect(st.offset).toBeGreaterThan(0)
      proxy.faults.length = 0
      proxy.log.length = 0
      await pull({ ...s, ref: `${proxy.host}/test/big:v1` })
      const gets = proxy.log.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${layer.digest}`))
      expect(gets.map((g) => g.range)).toEqual([`bytes=${st.offset}-`])
      expect(blobBytes(s, layer.digest).equals(Buffer.from(big.blobs.get(layer.digest)!))).toBe(true)
    })

    it('pushes blobs before their manifest and the index last', async () => {
      const src = stores()
      await loadFixture(src, fx, 'local/ordered:1')
      proxy.log.length = 0
      await push({ ...src, name: 'local/ordered:1', ref: `${proxy.host}/ordered/img:1` })
      const puts = proxy.log.filter((r) => r.method === 'PUT').map((r) => r.path)
      const at = (pred: (p: string) => boolean): number => puts.findIndex(pred)
      const last = (pred: (p: string) => boolean): number =>
        puts.length - 1 - [...puts].reverse().findIndex(pred)
      expect(puts.at(-1)).toMatch(/\/manifests\/1$/)
      for (const img of fx.images) {
        const man = at((p) => p.endsWith(`/manifests/${img.manifest.desc.digest}`))
        expect(man).toBeGreaterThan(-1)
        for (const d of [img.config.desc.digest, ...img.layers.map((l) => l.desc.digest)]) {
          expect(
            last((p) => p.includes(`digest=${encodeURIComponent(d)}`) || p.includes(`digest=${d}`)),
          ).toBeLessThan(man)
        }
      }
    })

    it('catches a registry that alters blob bytes, and stores nothing of it', async () => {
      const s = stores()
      const layer = layerOf(big)
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${layer.digest}`),
        corruptAt: 123_456,
      })
      const e = await pull({ ...s, ref: `${proxy.host}/test/big:v1` }).catch((x: unknown) => x)
      expect(isKind(e, 'unavailable')).toBe(true)
      expect((e as Error).message).toContain(layer.digest)
      await expect(s.cs.info(s.ns, layer.digest)).rejects.toSatisfy((x: unknown) => isKind(x, 'not-found'))
      expect(await s.cs.listStatuses(s.ns)).toEqual([])
      expect(s.images.list(s.ns)).toEqual([])
    })

    it('catches a registry that lies about the manifest digest', async () => {
      const s = stores()
      const fake = `sha256:${'ab'.repeat(32)}`
      proxy.faults.push({ match: (m, p) => m === 'HEAD' && p.endsWith('/manifests/v1'), digestHeader: fake })
      const e = await pull({ ...s, ref: `${proxy.host}/test/big:v1` }).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(Error)
      expect(s.images.list(s.ns)).toEqual([])
      await expect(s.cs.info(s.ns, fake)).rejects.toThrow()
      // The same lie on a GET by tag is caught against the bytes.
      proxy.faults.push({
        match: (m, p) => m === 'HEAD' && p.endsWith('/manifests/v1'),
        respond: { status: 405 },
      })
      proxy.faults.push({ match: (m, p) => m === 'GET' && p.endsWith('/manifests/v1'), digestHeader: fake })
      const e2 = await pull({ ...s, ref: `${proxy.host}/test/big:v1` }).catch((x: unknown) => x)
      expect(isKind(e2, 'unavailable')).toBe(true)
      expect((e2 as Error).message).toContain(fake)
      expect(s.images.list(s.ns)).toEqual([])
    })

    it('honours 429 with Retry-After', async () => {
      const s = stores()
      const cfg = big.images[0].config.desc
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${cfg.digest}`),
        respond: {
          status: 429,
          headers: { 'Retry-After': '1', 'Content-Type': 'application/json' },
          body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }),
        },
      })
      proxy.log.length = 0
      await pull({ ...s, ref: `${proxy.host}/test/big:v1` })
      const gets = proxy.log.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${cfg.digest}`))
      expect(gets.map((g) => g.status)).toEqual([429, 200])
      expect(gets[1].at - gets[0].at).toBeGreaterThanOrEqual(950)
    })

    it('reports rate limiting once retries are spent', async () => {
      const s = stores()
      proxy.faults.push({
        match: (m, p) => p.endsWith('/manifests/v1'),
        times: 10,
        respond: {
          status: 429,
          headers: { 'Retry-After': '0', 'Content-Type': 'application/json' },
          body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }),
        },
      })
      const e = await pull({ ...s, ref: `${proxy.host}/test/big:v1`, registry: { retries: 1 } }).catch(
        (x: unknown) => x,
      )
      proxy.faults.length = 0
      expect(isRegistryError(e, 'rate-limited')).toBe(true)
      expect(isKind(e, 'unavailable')).toBe(true)
    })

    it('refuses a manifest above 4,393,216 bytes', async () => {
      const s = stores()
      proxy.faults.push({
        match: (m, p) => m === 'HEAD' && p.endsWith('/manifests/v1'),
        respond: {
          status: 200,
          headers: {
            'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
            'Content-Length': String(4_393_217),
            'Docker-Content-Digest': `sha256:${'cd'.repeat(32)}`,
          },
        },
      })
      const e = await pull({ ...s, ref: `${proxy.host}/test/big:v1` }).catch((x: unknown) => x)
      expect(isKind(e, 'not-found')).toBe(true)
      expect((e as Error).message).toMatch(/rejecting 4393217 byte manifest/)
    })

    it('cancels with an AbortSignal and leaves no image', async () => {
      const s = stores()
      const ac = new AbortController()
      const layer = layerOf(big)
      const e = await pull({
        ...s,
        ref: `${proxy.host}/test/big:v1`,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.digest === layer.digest && p.offset > 0) ac.abort()
        },
      }).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(Error)
      expect(s.images.list(s.ns)).toEqual([])
      await expect(s.cs.info(s.ns, layer.digest)).rejects.toThrow()
    })
  })
})

function isDoc(fx: ImageFixture, d: string): boolean {
  return (
    d === fx.target.digest ||
    fx.images.some((i) => i.manifest.desc.digest === d) ||
    fx.indexes.some((i) => i.digest === d)
  )
}
