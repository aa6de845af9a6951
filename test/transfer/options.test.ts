// Import naming (ctr's rules), archive shapes (directory, index last, compressed, duplicates, shared
// docker-save layers) and export choices (platforms, partial images, directory output).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { gc } from '../../src-main/core/gc'
import { exportArchive, exportDirectory } from '../../src-main/core/transfer/export'
import { importArchive } from '../../src-main/core/transfer/import'
import {
  defaultBaseName,
  familiarName,
  importNames,
  ociReferenceName,
} from '../../src-main/core/transfer/names'
import type { Descriptor } from '../../src-main/core/oci'
import {
  dockerSaveEntries,
  multiPlatformImage,
  ociArchive,
  ociLayoutEntries,
  singlePlatformImage,
  tarBuffer,
  writeOCILayoutDir,
} from '../fixtures/images'
import { namedButAbsent, tarEntries, tempStore, type TestStore } from './helpers'

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

const NOW = () => new Date(2026, 10, 29, 12)
const idx: Descriptor = {
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 10,
}
const entry = (annotations?: Record<string, string>, d = 'b'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${d.repeat(64)}`,
  size: 5,
  ...(annotations ? { annotations } : {}),
})
const CNAME = 'io.containerd.image.name'
const REF = 'org.opencontainers.image.ref.name'

describe('import names (ctr images import over the transfer service)', () => {
  it.each([
    {
      name: 'a full containerd name is kept',
      entries: [entry({ [CNAME]: 'docker.io/library/a:1', [REF]: '1' })],
      opts: {},
      want: ['docker.io/library/a:1'],
    },
    {
      name: 'a bare ref name gets the dated prefix',
      entries: [entry({ [REF]: 'latest' })],
      opts: {},
      want: ['import-2026-11-29:latest'],
    },
    {
      name: 'a bare ref name gets the base name',
      entries: [entry({ [REF]: 'latest' })],
      opts: { baseName: 'example.com/foo' },
      want: ['example.com/foo:latest'],
    },
    {
      name: 'an incomplete containerd name is dropped',
      entries: [entry({ [CNAME]: 'foo' })],
      opts: {},
      want: [],
    },
    {
      name: 'a name outside the base name is dropped',
      entries: [entry({ [CNAME]: 'docker.io/library/a:1' })],
      opts: { baseName: 'example.com/foo' },
      want: [],
    },
    {
      name: 'a name under the base name is kept',
      entries: [entry({ [CNAME]: 'example.com/foo:2' })],
      opts: { baseName: 'example.com/foo' },
      want: ['example.com/foo:2'],
    },
    {
      name: 'a full ref name is kept as it is',
      entries: [entry({ [REF]: 'docker.io/x/y:2' })],
      opts: {},
      want: ['docker.io/x/y:2'],
    },
    { name: 'unnamed entries are dropped', entries: [entry()], opts: {}, want: [] },
    {
      name: '--digests names unnamed entries and the index',
      entries: [entry(), entry({ [REF]: 'v1' }, 'c')],
      opts: { baseName: 'example.com/foo', digests: true },
      want: [
        `example.com/foo@sha256:${'a'.repeat(64)}`,
        `example.com/foo@sha256:${'b'.repeat(64)}`,
        'example.com/foo:v1',
        `example.com/foo@sha256:${'c'.repeat(64)}`,
      ],
    },
    {
      name: '--digests with skipDigestForNamed',
      entries: [entry({ [REF]: 'v1' }, 'c')],
      opts: { baseName: 'example.com/foo', digests: true, skipDigestForNamed: true },
      want: [`example.com/foo@sha256:${'a'.repeat(64)}`, 'example.com/foo:v1'],
    },
    {
      name: '--index-name names the index first',
      entries: [entry({ [REF]: 'v1' })],
      opts: { indexName: 'example.com/all:idx', baseName: 'b.io/x' },
      want: ['example.com/all:idx', 'b.io/x:v1'],
    },
  ])('$name', (c) => {
    expect(importNames(idx, c.entries, { now: NOW, ...c.opts }).map((n) => n.name)).toEqual(c.want)
  })

  it.each([
    ['docker.io/library/alpine:3', '3'],
    ['docker.io/library/alpine:3@sha256:' + 'a'.repeat(64), '3@sha256:' + 'a'.repeat(64)],
    [
      'docker.io/library/alpine@sha256:' + 'a'.repeat(64),
      'docker.io/library/alpine@sha256:' + 'a'.repeat(64),
    ],
    ['localhost:5000/x', 'localhost:5000/x'],
  ])('ociReferenceName(%s) = %s', (n, want) => expect(ociReferenceName(n)).toBe(want))

  it.each([
    ['docker.io/library/alpine:3', 'alpine:3'],
    ['docker.io/user/app:1', 'user/app:1'],
    ['example.com:5000/a/b:c', 'example.com:5000/a/b:c'],
  ])('familiarName(%s) = %s', (n, want) => expect(familiarName(n)).toBe(want))

  it('the dated prefix is local YYYY-MM-DD', () =>
    expect(defaultBaseName(new Date(2027, 0, 5, 23))).toBe('import-2027-01-05'))

  it('--index-name records index.json itself, and GC keeps every platform under it', async () => {
    const fx = multiPlatformImage({ name: 'docker.io/library/idx:1' })
    const s = store()
    const r = await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), {
      indexName: 'example.com/archive:all',
      allPlatforms: true,
    })
    expect(r.images.map((i) => i.name)).toEqual(['example.com/archive:all', 'docker.io/library/idx:1'])
    expect(r.images[0].target.digest).toBe(r.index.digest)
    const removed = gc(s.db, { root: s.root }).removed.filter((x) => x.kind === 'content')
    expect(removed).toEqual([])
  })
})

describe('the default platform', () => {
  const fx = multiPlatformImage({
    name: 'docker.io/library/host:1',
    platforms: ['linux/amd64', 'linux/arm64'],
  })

  it('on a Mac is the host, then Linux on its architecture, as containerd’s Default()', async () => {
    const s = store()
    const r = await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), {
      host: { os: 'darwin', architecture: 'arm64' },
    })
    expect(r.images.map((i) => i.name)).toEqual([fx.name])
    const have = new Set(s.db.prepare('SELECT digest FROM content').pluck().all() as string[])
    for (const img of fx.images) {
      expect(have.has(img.config.desc.digest), img.platform.architecture).toBe(
        img.platform.architecture === 'arm64',
      )
    }
  })

  it('on a host the archive has nothing for, the import is refused naming the host', async () => {
    const s = store()
    await expect(
      importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), {
        host: { os: 'linux', architecture: 's390x' },
      }),
    ).rejects.toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(
        /no match for platform linux\/s390x in image "docker\.io\/library\/host:1"/,
      ),
    })
  })
})

describe('archive shapes', () => {
  it.each([
    {
      name: 'index.json after the blobs',
      build: (fx: ReturnType<typeof multiPlatformImage>) => ociArchive([fx], { order: 'index-last' }),
    },
    {
      name: 'gzip-compressed',
      build: (fx: ReturnType<typeof multiPlatformImage>) => ociArchive([fx], { compression: 'gzip' }),
    },
    {
      name: 'zstd-compressed',
      build: (fx: ReturnType<typeof multiPlatformImage>) => ociArchive([fx], { compression: 'zstd' }),
    },
    {
      name: 'with directory entries',
      build: (fx: ReturnType<typeof multiPlatformImage>) => ociArchive([fx], { dirs: true }),
    },
    {
      name: 'with identical duplicate entries',
      build: (fx: ReturnType<typeof multiPlatformImage>) => {
        const e = ociLayoutEntries([fx])
        return tarBuffer([...e, ...e.filter((x) => x.path.startsWith('blobs/') || x.path === 'index.json')])
      },
    },
  ])('$name', async ({ build }) => {
    const fx = multiPlatformImage({ name: 'docker.io/library/shape:1', attestation: true })
    const s = store()
    const r = await importArchive(s, 'default', s.file('a.tar', build(fx)), { allPlatforms: true })
    expect(r.images.map((i) => [i.name, i.target.digest])).toEqual([[fx.name, fx.target.digest]])
  })

  it('an OCI layout directory', async () => {
    const fx = multiPlatformImage({ name: 'docker.io/library/dir:1', nested: 1 })
    const s = store()
    const dir = join(s.dir, 'layout')
    writeOCILayoutDir(dir, [fx])
    const r = await importArchive(s, 'default', dir, { allPlatforms: true })
    expect(r.compression).toBe('directory')
    expect(r.images[0].target.digest).toBe(fx.target.digest)
  })

  it('a docker-save archive whose second image shares a layer through a symlink', async () => {
    const a = singlePlatformImage({ name: 'app:1', seed: 'shared', layers: 2 })
    const entries = dockerSaveEntries([{ fixture: a }])
    const m = JSON.parse(entries.find((e) => e.path === 'manifest.json')!.data!.toString())
    const shared = m[0].Layers[0] as string
    m.push({ Config: m[0].Config, RepoTags: ['app:alias'], Layers: ['alias/layer.tar', m[0].Layers[1]] })
    const rest = entries.filter((e) => e.path !== 'manifest.json')
    const buf = tarBuffer([
      ...rest,
      { path: 'alias/', type: 'Directory' },
      { path: 'alias/layer.tar', type: 'SymbolicLink', linkpath: `../${shared}` },
      { path: 'manifest.json', data: Buffer.from(JSON.stringify(m)) },
    ])
    const s = store()
    const r = await importArchive(s, 'default', s.file('save.tar', buf), { allPlatforms: true })
    expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/app:1', 'docker.io/library/app:alias'])
    expect(r.images[0].target.digest).toBe(r.images[1].target.digest)
  })
})

describe('export choices', () => {
  const fx = multiPlatformImage({ name: 'docker.io/library/exp:1', attestation: true })
  const digestsOf = (img: (typeof fx.images)[number]) =>
    [img.manifest, img.config, ...img.layers].map((b) => b.desc.digest)

  it('one platform: that platform’s blobs and a manifest.json entry for it', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { allPlatforms: true })
    const out = join(s.dir, 'one.tar')
    const r = await exportArchive(s, 'default', [fx.name!], out, { platforms: ['linux/arm64'] })
    expect(r.missing).toEqual([])
    const files = tarEntries(out)
    const arm = fx.images.find((i) => i.platform.architecture === 'arm64')!
    for (const d of digestsOf(arm)) expect(files.has(`blobs/${d.replace(':', '/')}`)).toBe(true)
    const amd = fx.images.find((i) => i.platform.architecture === 'amd64')!
    expect(files.has(`blobs/${amd.config.desc.digest.replace(':', '/')}`)).toBe(false)
    const docker = JSON.parse(files.get('manifest.json')!.toString())
    expect(docker).toEqual([
      {
        Config: `blobs/${arm.config.desc.digest.replace(':', '/')}`,
        RepoTags: ['docker.io/library/exp:1'],
        Layers: arm.layers.map((l) => `blobs/${l.desc.digest.replace(':', '/')}`),
      },
    ])
    const index = JSON.parse(files.get('index.json')!.toString())
    expect(index.manifests[0].annotations).toEqual({ [CNAME]: fx.name, [REF]: '1' })
  })

  it('a stored blob whose bytes changed but not its size is refused as corrupt, naming it', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { allPlatforms: true })
    const layer = fx.images[0].layers[0].desc
    const path = join(s.root, 'blobs', layer.digest.replace(':', '/'))
    const bytes = readFileSync(path)
    bytes[0] ^= 0xff
    writeFileSync(path, bytes)
    await expect(
      exportArchive(s, 'default', [fx.name!], join(s.dir, 'bad.tar'), { allPlatforms: true }),
    ).rejects.toMatchObject({ kind: 'failed-precondition', message: expect.stringContaining(layer.digest) })
  })

  it('several platforms: the first listed carries the RepoTags', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { allPlatforms: true })
    const out = join(s.dir, 'two.tar')
    await exportArchive(s, 'default', [fx.name!], out, { platforms: ['linux/arm/v7', 'linux/arm64'] })
    const docker = JSON.parse(tarEntries(out).get('manifest.json')!.toString())
    const v7 = fx.images.find((i) => i.platform.variant === 'v7')!
    expect(docker).toHaveLength(2)
    expect(docker.find((e: { RepoTags: string[] }) => e.RepoTags.length > 0).Config).toBe(
      `blobs/${v7.config.desc.digest.replace(':', '/')}`,
    )
  })

  it('a partial image exports only its complete platforms, in an index rewritten to list only them', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { platform: 'linux/arm64' })
    gc(s.db, { root: s.root })
    const out = join(s.dir, 'partial.tar')
    const r = await exportArchive(s, 'default', [fx.name!], out, { allPlatforms: true })
    const arm = fx.images.find((i) => i.platform.architecture === 'arm64')!
    const others = fx.images.filter((i) => i !== arm)
    expect(r.leftOut.map((l) => [l.platform, l.digest]).sort()).toEqual(
      [
        ...others.map((i) => [
          i.desc.platform!.os +
            '/' +
            i.desc.platform!.architecture +
            (i.desc.platform!.variant ? '/' + i.desc.platform!.variant : ''),
          i.manifest.desc.digest,
        ]),
        ...fx.attestations
          .filter((a) => a.annotations?.['vnd.docker.reference.digest'] === arm.manifest.desc.digest)
          .map((a) => ['unknown/unknown', a.digest]),
      ].sort(),
    )
    expect(r.missing.map((m) => m.digest).sort()).toEqual(
      [
        ...others.map((i) => i.manifest.desc.digest),
        ...r.leftOut.filter((l) => l.platform === 'unknown/unknown').map((l) => l.digest),
      ].sort(),
    )
    const files = tarEntries(out)
    const index = JSON.parse(files.get('index.json')!.toString())
    const top = index.manifests[0]
    expect(top.digest).not.toBe(fx.target.digest)
    const rewritten = JSON.parse(files.get(`blobs/${top.digest.replace(':', '/')}`)!.toString())
    expect(rewritten.manifests.map((m: { digest: string }) => m.digest)).toEqual([arm.manifest.desc.digest])
    // Every blob the archive's documents name is in the archive.
    for (const d of digestsOf(arm)) expect(files.has(`blobs/${d.replace(':', '/')}`)).toBe(true)
    expect(namedButAbsent(files)).toEqual([])
    // And Berth reads it back, every platform it lists.
    const t = store()
    const back = await importArchive(t, 'default', out, { allPlatforms: true })
    expect(back.images.map((i) => [i.name, i.target.digest])).toEqual([[fx.name, top.digest]])
  })

  it('an image with no complete platform is refused, and no file is written', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { platform: 'linux/arm64' })
    gc(s.db, { root: s.root })
    const out = join(s.dir, 'none.tar')
    await expect(
      exportArchive(s, 'default', [fx.name!], out, { platforms: ['linux/amd64'] }),
    ).rejects.toMatchObject({
      kind: 'failed-precondition',
      message: expect.stringMatching(/no platform has all its content/),
    })
    expect(existsSync(out)).toBe(false)
  })

  it('an image without the requested platform is NotFound', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { allPlatforms: true })
    await expect(
      exportArchive(s, 'default', [fx.name!], join(s.dir, 'x.tar'), { platforms: ['linux/s390x'] }),
    ).rejects.toMatchObject({ kind: 'not-found' })
  })

  it('a layout directory with the same files as the tar', async () => {
    const s = store()
    await importArchive(s, 'default', s.file('a.tar', ociArchive([fx])), { allPlatforms: true })
    const out = join(s.dir, 'all.tar')
    await exportArchive(s, 'default', [fx.name!], out, { allPlatforms: true })
    const dir = mkdtempSync(join(tmpdir(), 'berth-exdir-'))
    try {
      await exportDirectory(s, 'default', [fx.name!], dir, { allPlatforms: true })
      for (const [path, data] of tarEntries(out)) {
        if (path.endsWith('/')) continue
        expect(readFileSync(join(dir, path)).equals(data)).toBe(true)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
