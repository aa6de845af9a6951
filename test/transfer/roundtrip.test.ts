// import → export → import keeps every digest; exports are deterministic and readable by real tools.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { exportArchive, exportDirectory } from '../../src-main/core/transfer/export'
import { importArchive } from '../../src-main/core/transfer/import'
import { gc } from '../../src-main/core/gc'
import { hostPlatform } from '../../src-main/core/platforms'
import { Parser } from 'tar'
import {
  dockerSaveArchive,
  multiPlatformImage,
  ociArchive,
  singlePlatformImage,
  type ImageFixture,
} from '../fixtures/images'
import { tempStore, type TestStore } from './helpers'
import { hasTool } from './tools'

let stores: TestStore[] = []
const store = () => {
  const s = tempStore()
  stores.push(s)
  return s
}
afterEach(() => {
  for (const s of stores) s.close()
  stores = []
})

function tarNames(buf: Buffer): { path: string; mode: number; mtime: number; uid: number }[] {
  const out: { path: string; mode: number; mtime: number; uid: number }[] = []
  const p = new Parser({
    onReadEntry: (e) => (
      out.push({ path: e.path, mode: e.mode ?? 0, mtime: e.mtime?.getTime() ?? -1, uid: e.uid ?? -1 }),
      e.resume()
    ),
  })
  p.end(buf)
  return out
}

const cases: { name: string; fx: () => ImageFixture }[] = [
  {
    name: 'zstd layers',
    fx: () => multiPlatformImage({ name: 'docker.io/library/z:1', compression: 'zstd' }),
  },
  {
    name: 'windows os.version',
    fx: () =>
      multiPlatformImage({
        name: 'example.com/win:ltsc2022',
        platforms: ['windows/amd64:10.0.20348.1', 'windows/amd64:10.0.17763.5'],
      }),
  },
  { name: 'nested indexes', fx: () => multiPlatformImage({ name: 'example.com/nested:2', nested: 2 }) },
  { name: 'attestations', fx: () => multiPlatformImage({ name: 'example.com/att:3', attestation: true }) },
  {
    name: 'Docker manifest list',
    fx: () => multiPlatformImage({ name: 'example.com/list:4', format: 'docker' }),
  },
  {
    name: 'single manifest',
    fx: () => singlePlatformImage({ name: 'example.com/single:5', compression: 'none' }),
  },
]

describe('round trip', () => {
  it.each(cases)('$name: import → export → import gives the same digests', async ({ fx }) => {
    const f = fx()
    const a = store()
    const r1 = await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { allPlatforms: true })
    expect(r1.images.map((i) => [i.name, i.target.digest])).toEqual([[f.name, f.target.digest]])
    const out = join(a.dir, 'out.tar')
    const ex = await exportArchive(a, 'default', [f.name!], out, { allPlatforms: true })
    expect(ex.missing).toEqual([])
    expect(ex.blobs).toBe(f.blobs.size)
    const b = store()
    const r2 = await importArchive(b, 'default', out, { allPlatforms: true })
    expect(r2.images.map((i) => [i.name, i.target.digest])).toEqual([[f.name, f.target.digest]])
    const digests = (s: TestStore) => s.db.prepare('SELECT digest FROM content ORDER BY digest').pluck().all()
    // Every fixture blob is in both; the archive's own index.json, which no image names, is not kept.
    for (const d of f.blobs.keys()) expect(digests(b)).toContain(d)
    expect(digests(b)).not.toContain(r2.index.digest)
    expect(
      gc(b.db, { root: b.root })
        .removed.filter((r) => r.kind === 'content')
        .map((r) => r.key),
    ).toEqual([])
    for (const d of f.blobs.keys()) expect(digests(b)).toContain(d)
    // Another store holding the same image exports the same bytes.
    const again = join(b.dir, 'again.tar')
    await exportArchive(b, 'default', [f.name!], again, { allPlatforms: true })
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true)
  })

  it('a cancelled export leaves no file behind', async () => {
    const f = multiPlatformImage({ name: 'docker.io/library/cx:1', layerSize: 64 * 1024 })
    const a = store()
    await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { allPlatforms: true })
    const ac = new AbortController()
    const out = join(a.dir, 'cancelled.tar')
    let n = 0
    const p = exportArchive(a, 'default', [f.name!], out, {
      allPlatforms: true,
      signal: ac.signal,
      onProgress: () => {
        if (++n === 3) ac.abort()
      },
    })
    await expect(p).rejects.toMatchObject({ kind: 'unavailable' })
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(a.dir).filter((x) => x.startsWith('cancelled'))).toEqual([])
  })

  it('exports are deterministic and sorted, with fixed metadata', async () => {
    const f = multiPlatformImage({ name: 'docker.io/library/det:1', attestation: true })
    const a = store()
    await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { allPlatforms: true })
    const o1 = join(a.dir, '1.tar')
    const o2 = join(a.dir, '2.tar')
    await exportArchive(a, 'default', [f.name!], o1, { allPlatforms: true })
    await exportArchive(a, 'default', [f.name!], o2, { allPlatforms: true })
    const b1 = readFileSync(o1)
    expect(b1.equals(readFileSync(o2))).toBe(true)
    const entries = tarNames(b1)
    const names = entries.map((e) => e.path)
    expect(names).toEqual([...names].sort())
    expect(names).toContain('index.json')
    expect(names).toContain('oci-layout')
    expect(names).toContain('manifest.json')
    expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([0]))
    expect(new Set(entries.map((e) => e.uid))).toEqual(new Set([0]))
  })

  it('docker-save import gives a schema 2 manifest whose layer digests are the diff IDs', async () => {
    const f = singlePlatformImage({ name: 'busybox:1.36', layers: 3 })
    const a = store()
    const r = await importArchive(a, 'default', a.file('save.tar', dockerSaveArchive([{ fixture: f }])), {
      allPlatforms: true,
    })
    expect(r.format).toBe('docker')
    expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/busybox:1.36'])
    const m = JSON.parse(
      Buffer.from(await a.content.provider('default').readBlob(r.images[0].target)).toString(),
    )
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
    expect(m.config.mediaType).toBe('application/vnd.docker.container.image.v1+json')
    expect(m.layers.map((l: { digest: string }) => l.digest)).toEqual(f.images[0].diffIds)
    expect(new Set(m.layers.map((l: { mediaType: string }) => l.mediaType))).toEqual(
      new Set(['application/vnd.docker.image.rootfs.diff.tar']),
    )
  })

  it('platform selection keeps only the selected platform blobs, and GC then removes nothing more', async () => {
    const f = multiPlatformImage({ name: 'example.com/sel:1', attestation: true })
    const a = store()
    await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { platform: 'linux/arm64' })
    const content = () => new Set(a.db.prepare('SELECT digest FROM content').pluck().all() as string[])
    const have = content()
    const arm = f.images.find((i) => i.platform.architecture === 'arm64')!
    for (const b of [arm.manifest, arm.config, ...arm.layers]) expect(have.has(b.desc.digest)).toBe(true)
    for (const img of f.images.filter((i) => i !== arm)) {
      // Nothing claims more than is kept: other platforms' blobs, manifests included, are gone at once.
      for (const b of [img.manifest, img.config, ...img.layers]) expect(have.has(b.desc.digest)).toBe(false)
    }
    for (const att of f.attestations) expect(have.has(att.digest)).toBe(false)
    gc(a.db, { root: a.root })
    expect(content()).toEqual(have)
  })

  it.skipIf(!hasTool('skopeo'))('skopeo reads the export', async () => {
    const f = multiPlatformImage({ name: 'docker.io/library/sk:1', attestation: true, compression: 'zstd' })
    const a = store()
    await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { allPlatforms: true })
    const out = join(a.dir, 'out.tar')
    await exportArchive(a, 'default', [f.name!], out, { allPlatforms: true })
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${out}`]).toString())
    expect(raw.manifests).toHaveLength(8)
    const cfg = JSON.parse(
      execFileSync('skopeo', [
        'inspect',
        '--override-os',
        'linux',
        '--override-arch',
        'arm',
        '--override-variant',
        'v7',
        '--config',
        `oci-archive:${out}`,
      ]).toString(),
    )
    expect(cfg.variant).toBe('v7')
    expect(
      JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${out}:sk:1`]).toString()).Architecture,
    ).toBe(hostPlatform().architecture)
  })

  it.skipIf(!hasTool('umoci'))('umoci lists the exported directory', async () => {
    const f = singlePlatformImage({ name: 'docker.io/library/um:7' })
    const a = store()
    await importArchive(a, 'default', a.file('in.tar', ociArchive([f])), { allPlatforms: true })
    const dir = join(a.dir, 'layout')
    await exportDirectory(a, 'default', [f.name!], dir, { allPlatforms: true })
    expect(execFileSync('umoci', ['ls', '--layout', dir]).toString().trim()).toBe('7')
  })
})
