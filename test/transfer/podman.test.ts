// `podman load` reads Berth's exports (issue 4): each loads under the name Berth gave it, and podman's
// image ID (the config digest) is the config Berth exported. podman 4 reads a tar with one image in
// index.json as an OCI archive; with several images, or media types it refuses in an OCI manifest, it
// falls back to the Docker manifest.json. Skips with a printed reason where podman cannot run.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportArchive, type ExportOptions } from '../../src-main/core/transfer/export'
import { importArchive } from '../../src-main/core/transfer/import'
import { multiPlatformImage, ociArchive, singlePlatformImage, type ImageFixture } from '../fixtures/images'
import { tempStore, type TestStore } from './helpers'
import { startPodman, type Podman } from './podman'

let s: TestStore
let podman: Podman | undefined
beforeAll(() => {
  s = tempStore()
  podman = startPodman()
})
afterAll(() => {
  podman?.stop()
  s.close()
})

// podman picks the manifest for the machine it runs on.
const hostArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch]

interface Listed {
  Id: string
  Names?: string[]
  Digest: string
}

interface Case {
  what: string
  fixtures: ImageFixture[]
  opts?: ExportOptions
  /** podman read index.json (not manifest.json), so it keeps Berth's top manifest or index digest. */
  oci: boolean
}

const single = (name: string, opts: Parameters<typeof singlePlatformImage>[0] = {}) =>
  singlePlatformImage({ name, seed: name, ...opts })

const cases: Case[] = [
  {
    what: 'Docker schema 2, gzip layers',
    fixtures: [single('docker.io/library/pd-docker:1', { format: 'docker' })],
    oci: true,
  },
  { what: 'OCI, gzip layers', fixtures: [single('example.com/berth/pd-oci:2')], oci: true },
  {
    what: 'OCI, zstd layers',
    fixtures: [single('docker.io/library/pd-zstd:3', { compression: 'zstd' })],
    oci: true,
  },
  {
    what: 'OCI, the whole archive gzip-compressed',
    fixtures: [single('docker.io/library/pd-gz:4')],
    opts: { compression: 'gzip' },
    oci: true,
  },
  {
    what: 'OCI, the whole archive zstd-compressed',
    fixtures: [single('docker.io/library/pd-zst:5')],
    opts: { compression: 'zstd' },
    oci: true,
  },
  {
    what: 'an index with one platform',
    fixtures: [multiPlatformImage({ name: 'docker.io/library/pd-one:6', platforms: ['linux/amd64'] })],
    oci: true,
  },
  {
    what: 'a Docker manifest list over three platforms',
    fixtures: [
      multiPlatformImage({
        name: 'docker.io/library/pd-list:7',
        format: 'docker',
        platforms: ['linux/arm64', 'linux/amd64', 'linux/arm/v7'],
      }),
    ],
    oci: true,
  },
  {
    what: 'an OCI index over four platforms with attestations',
    fixtures: [multiPlatformImage({ name: 'docker.io/library/pd-all:8', attestation: true })],
    oci: true,
  },
  // containerd's Docker zstd layer type is refused by podman in an OCI archive: manifest.json carries it.
  {
    what: 'Docker schema 2, zstd layers (read through manifest.json)',
    fixtures: [single('docker.io/library/pd-dzstd:9', { format: 'docker', compression: 'zstd' })],
    oci: false,
  },
  {
    what: 'two images in one archive (read through manifest.json)',
    fixtures: [
      single('docker.io/library/pd-a:10'),
      single('example.com/berth/pd-b:11', { format: 'docker' }),
    ],
    oci: false,
  },
]

/** The platform manifest podman should have loaded: the only one, or this machine's. */
function chosen(fx: ImageFixture) {
  if (fx.images.length === 1) return fx.images[0]
  const img = fx.images.find((i) => i.platform.os === 'linux' && i.platform.architecture === hostArch)
  if (!img) throw new Error(`fixture ${fx.name} has no manifest for linux/${process.arch}`)
  return img
}

describe('podman load', () => {
  it.for(cases)('$what: loaded under its name, with the config Berth exported', async (c, ctx) => {
    if (!podman) return ctx.skip()
    if (!hostArch) return ctx.skip(`podman would pick a ${process.arch} manifest, which the fixtures lack`)
    for (const fx of c.fixtures) {
      await importArchive(s, 'default', s.file('in.tar', ociArchive([fx])), { allPlatforms: true })
    }
    const file = join(s.dir, `${c.fixtures[0].name!.replace(/[/:]/g, '_')}.tar`)
    await exportArchive(
      s,
      'default',
      c.fixtures.map((f) => f.name!),
      file,
      { allPlatforms: true, ...c.opts },
    )
    const store = podman.fresh()
    const out = store.run('load', '-i', file)
    const listed = JSON.parse(store.run('images', '--format', 'json')) as Listed[]
    const byName = new Map(listed.flatMap((l) => (l.Names ?? []).map((n) => [n, l] as const)))
    // Names only as Berth has them: no localhost/ short names, nothing else named.
    expect([...byName.keys()].sort(), out).toEqual(c.fixtures.map((f) => f.name!).sort())
    for (const fx of c.fixtures) {
      const l = byName.get(fx.name!)!
      expect(`sha256:${l.Id}`).toBe(chosen(fx).config.desc.digest)
      if (c.oci) expect(l.Digest).toBe(fx.target.digest)
    }
  })
})
