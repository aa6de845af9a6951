// Archives made by the real skopeo, umoci and containerd import into Berth, and Berth's exports are
// read by them. Each test skips with a printed reason where its tool is absent.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportArchive } from '../../src-main/core/transfer/export'
import { importArchive } from '../../src-main/core/transfer/import'
import {
  dockerSaveArchive,
  multiPlatformImage,
  singlePlatformImage,
  writeOCILayoutDir,
} from '../fixtures/images'
import { startContainerd, type Containerd } from './containerd'
import { tempStore, type TestStore } from './helpers'
import { hasTool } from './tools'

let s: TestStore
let cd: Containerd | undefined
beforeAll(async () => {
  s = tempStore()
  cd = await startContainerd()
})
afterAll(async () => {
  await cd?.stop()
  s.close()
})

const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 })

describe.skipIf(!hasTool('skopeo'))('skopeo', () => {
  it('oci-archive written by skopeo copy --all imports with the same digests', async () => {
    const fx = multiPlatformImage({ name: 'docker.io/library/sko:1', attestation: true, compression: 'zstd' })
    const dir = join(s.dir, 'sko-layout')
    writeOCILayoutDir(dir, [fx])
    const file = join(s.dir, 'sko.tar')
    run('skopeo', 'copy', '--all', `oci:${dir}:1`, `oci-archive:${file}:docker.io/library/sko:copied`)
    const r = await importArchive(s, 'default', file, { allPlatforms: true })
    expect(r.images.map((i) => [i.name, i.target.digest])).toEqual([
      ['docker.io/library/sko:copied', fx.target.digest],
    ])
  })

  it('docker-archive written by skopeo imports, its diff IDs verified', async () => {
    const fx = singlePlatformImage({ name: 'docker.io/library/skd:2', layers: 3 })
    const dir = join(s.dir, 'skd-layout')
    writeOCILayoutDir(dir, [fx])
    const file = join(s.dir, 'skd.tar')
    run('skopeo', 'copy', `oci:${dir}:2`, `docker-archive:${file}:skd:2`)
    const r = await importArchive(s, 'default', file, { allPlatforms: true, verifyDiffIds: true })
    expect(r.format).toBe('docker')
    expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/skd:2'])
    const m = JSON.parse(
      Buffer.from(await s.content.provider('default').readBlob(r.images[0].target)).toString(),
    )
    expect(m.config.digest).toBe(fx.images[0].config.desc.digest)
  })

  it('skopeo copies a Berth export to a layout directory', async () => {
    // skopeo 1.9 only resolves OCI media types in an OCI layout's index.json, so no Docker list here.
    const fx = multiPlatformImage({ name: 'docker.io/library/skx:3', compression: 'zstd' })
    const { ociArchive } = await import('../fixtures/images')
    await importArchive(s, 'default', s.file('skx-in.tar', ociArchive([fx])), { allPlatforms: true })
    const out = join(s.dir, 'skx-out.tar')
    await exportArchive(s, 'default', [fx.name!], out, { allPlatforms: true })
    const dest = join(s.dir, 'skx-copied')
    // skopeo matches an oci-archive reference against org.opencontainers.image.ref.name: the tag.
    run('skopeo', 'copy', '--all', `oci-archive:${out}:3`, `oci:${dest}:3`)
    const raw = JSON.parse(run('skopeo', 'inspect', '--raw', `oci:${dest}:3`))
    expect(raw.manifests).toHaveLength(4)
  })
})

describe.skipIf(!hasTool('umoci'))('umoci', () => {
  it('a layout made by umoci imports as a directory and as a tar made by tar(1)', async () => {
    const dir = join(s.dir, 'umoci')
    run('umoci', 'init', '--layout', dir)
    run('umoci', 'new', '--image', `${dir}:v1`)
    const r1 = await importArchive(s, 'default', dir, { allPlatforms: true, baseName: 'example.com/umoci' })
    expect(r1.images.map((i) => i.name)).toEqual(['example.com/umoci:v1'])
    const tarFile = join(s.dir, 'umoci.tar')
    run('tar', '-C', dir, '-cf', tarFile, '.')
    const r2 = await importArchive(s, 'default', tarFile, {
      allPlatforms: true,
      baseName: 'example.com/umoci2',
    })
    expect(r2.images.map((i) => [i.name, i.target.digest])).toEqual([
      ['example.com/umoci2:v1', r1.images[0].target.digest],
    ])
  })
})

describe('containerd', () => {
  it('ctr imports a Berth export, and Berth imports what ctr exports, with the same digests', async (ctx) => {
    if (!cd) return ctx.skip()
    const fx = multiPlatformImage({ name: 'docker.io/library/ctr:1', attestation: true })
    const { ociArchive } = await import('../fixtures/images')
    await importArchive(s, 'default', s.file('ctr-in.tar', ociArchive([fx])), { allPlatforms: true })
    const out = join(s.dir, 'ctr-out.tar')
    await exportArchive(s, 'default', [fx.name!], out, { allPlatforms: true })
    cd.ctr('images', 'import', '--all-platforms', '--no-unpack', out)
    expect(cd.ctr('images', 'ls')).toContain(
      `docker.io/library/ctr:1 application/vnd.oci.image.index.v1+json ${fx.target.digest}`,
    )
    const back = join(s.dir, 'ctr-back.tar')
    cd.ctr('images', 'export', '--all-platforms', back, fx.name!)
    const t = tempStore()
    try {
      const r = await importArchive(t, 'default', back, { allPlatforms: true })
      expect(r.images.map((i) => [i.name, i.target.digest])).toEqual([[fx.name, fx.target.digest]])
    } finally {
      t.close()
    }
  })

  it('a docker-save archive becomes the same manifest in ctr and in Berth', async (ctx) => {
    if (!cd) return ctx.skip()
    const fx = singlePlatformImage({ name: 'docker.io/library/parity:1', layers: 2 })
    const file = s.file('parity.tar', dockerSaveArchive([{ fixture: fx }]))
    cd.ctr('images', 'import', '--all-platforms', '--no-unpack', file)
    const line = cd
      .ctr('images', 'ls')
      .split('\n')
      .find((l) => l.startsWith('docker.io/library/parity:1'))!
    const r = await importArchive(s, 'default', file, { allPlatforms: true })
    expect(line.split(/\s+/)[2]).toBe(r.images[0].target.digest)
  })
})
