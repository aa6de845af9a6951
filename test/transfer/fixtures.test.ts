// The fixtures themselves must be real images: other suites (UI, registry, transfer) trust them.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { Parser } from 'tar'
import {
  dockerSaveArchive,
  multiPlatformImage,
  ociArchive,
  sha256,
  singlePlatformImage,
  writeOCILayoutDir,
} from '../fixtures/images'
import { hasTool } from './tools'

const tmp = mkdtempSync(join(tmpdir(), 'berth-fixtures-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function entries(buf: Buffer): string[] {
  const names: string[] = []
  const p = new Parser({
    onReadEntry: (e) => {
      names.push(e.path)
      e.resume()
    },
  })
  p.end(buf)
  return names
}

describe('fixtures', () => {
  it('are deterministic from the seed', () => {
    const a = multiPlatformImage({ name: 'x:1', attestation: true })
    const b = multiPlatformImage({ name: 'x:1', attestation: true })
    expect(a.target).toEqual(b.target)
    expect(ociArchive([a]).equals(ociArchive([b]))).toBe(true)
    expect(multiPlatformImage({ name: 'x:1', seed: 'other' }).target.digest).not.toBe(a.target.digest)
  })

  it('layers decompress to their diff IDs and configs list them', () => {
    const fx = singlePlatformImage({ compression: 'gzip', layers: 2 })
    const img = fx.images[0]
    for (const l of img.layers) expect(sha256(gunzipSync(l.data))).toBe(l.diffId)
    expect(JSON.parse(img.config.data.toString()).rootfs.diff_ids).toEqual(img.diffIds)
  })

  it('multiPlatformImage carries windows os.version and attestations', () => {
    const fx = multiPlatformImage({ attestation: true })
    const idx = JSON.parse(Buffer.from(fx.blobs.get(fx.target.digest)!).toString())
    expect(idx.manifests).toHaveLength(8)
    expect(idx.manifests[3].platform).toEqual({
      architecture: 'amd64',
      os: 'windows',
      'os.version': '10.0.20348.1',
    })
    expect(idx.manifests[4].platform).toEqual({ architecture: 'unknown', os: 'unknown' })
    expect(idx.manifests[4].annotations['vnd.docker.reference.digest']).toBe(
      fx.images[0].manifest.desc.digest,
    )
  })

  it('docker save archives list manifest.json and repositories', () => {
    const names = entries(dockerSaveArchive([{ fixture: singlePlatformImage({ name: 'alpine:3' }) }]))
    expect(names).toContain('manifest.json')
    expect(names).toContain('repositories')
    expect(names.filter((n) => n.endsWith('/layer.tar'))).toHaveLength(2)
  })

  it.skipIf(!hasTool('skopeo'))('skopeo reads the OCI archive and layout', () => {
    const fx = multiPlatformImage({ name: 'docker.io/library/fx:1', attestation: true, compression: 'zstd' })
    const file = join(tmp, 'fx.tar')
    writeFileSync(file, ociArchive([fx]))
    const out = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${file}`]).toString())
    expect(out.manifests).toHaveLength(8)
    const dir = join(tmp, 'layout')
    writeOCILayoutDir(dir, [fx])
    const cfg = JSON.parse(
      execFileSync('skopeo', [
        'inspect',
        '--override-os',
        'linux',
        '--override-arch',
        'arm64',
        '--config',
        `oci:${dir}:1`,
      ]).toString(),
    )
    expect(cfg.architecture).toBe('arm64')
    expect(readdirSync(join(dir, 'blobs', 'sha256')).length).toBe(fx.blobs.size)
  })

  it.skipIf(!hasTool('skopeo'))('skopeo reads the docker save archive', () => {
    const file = join(tmp, 'save.tar')
    writeFileSync(file, dockerSaveArchive([{ fixture: singlePlatformImage({ name: 'alpine:3' }) }]))
    const out = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${file}`]).toString())
    expect(out.Layers).toHaveLength(2)
  })

  it.skipIf(!hasTool('umoci'))('umoci lists the layout', () => {
    const dir = join(tmp, 'umoci')
    writeOCILayoutDir(dir, [singlePlatformImage({ name: 'docker.io/library/u:2' })])
    expect(execFileSync('umoci', ['ls', '--layout', dir]).toString().trim()).toBe('2')
  })
})
