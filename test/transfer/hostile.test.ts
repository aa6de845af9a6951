// Hostile and broken archives: each is refused with a clear BerthError, and the store is exactly as
// before (no image record, no content record or label, no lease; after GC, the same blob files).
import { join } from 'node:path'
import { createGzip, gzipSync, zstdCompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Provider } from '../../src-main/core/content/provider'
import type { BerthError } from '../../src-main/core/errors'
import { childrenHandler } from '../../src-main/core/images/handlers'
import { walk } from '../../src-main/core/images/walk'
import type { Descriptor } from '../../src-main/core/oci'
import { importArchive, type ImportOptions } from '../../src-main/core/transfer/import'
import {
  blobOf,
  dockerSaveArchive,
  dockerSaveEntries,
  indexBlob,
  indexOnly,
  jsonBlob,
  layer,
  manifestBlob,
  configBlob,
  multiPlatformImage,
  nestIndex,
  ociArchive,
  ociLayoutEntries,
  platformOf,
  randomBytes,
  schema1Manifest,
  sha256,
  singlePlatformImage,
  tarBuffer,
  type ImageFixture,
} from '../fixtures/images'
import { expectRefused, storeWithImage, type TestStore } from './helpers'

let s: TestStore
let n = 0

beforeAll(async () => {
  s = await storeWithImage()
})
afterAll(() => s.close())

const fxOf = (): ImageFixture => singlePlatformImage({ name: 'docker.io/library/bad:1', seed: 'hostile' })

/** An OCI archive of one fixture plus a replacement for some of its blobs or files. */
function ociWith(fx: ImageFixture, opts: Parameters<typeof ociLayoutEntries>[1] = {}): Buffer {
  return tarBuffer(ociLayoutEntries([fx], opts))
}

interface Case {
  name: string
  archive: () => Buffer
  kind: BerthError['kind']
  message: RegExp
  opts?: ImportOptions
}

const cases: Case[] = [
  {
    name: 'path traversal (../)',
    archive: () => ociWith(fxOf(), { extra: [{ path: '../escape', data: Buffer.from('x') }] }),
    kind: 'invalid-argument',
    message: /path traversal/,
  },
  {
    name: 'path traversal inside a path (blobs/../../x)',
    archive: () => ociWith(fxOf(), { extra: [{ path: 'blobs/../../x', data: Buffer.from('x') }] }),
    kind: 'invalid-argument',
    message: /path traversal/,
  },
  {
    name: 'absolute path',
    archive: () => ociWith(fxOf(), { extra: [{ path: '/etc/cron.d/evil', data: Buffer.from('x') }] }),
    kind: 'invalid-argument',
    message: /absolute paths are not allowed/,
  },
  {
    name: 'symlink in the layout',
    archive: () => {
      const fx = fxOf()
      const l = fx.images[0].layers[0].desc.digest
      return ociWith(fx, {
        omit: [l],
        extra: [{ path: `blobs/sha256/${l.slice(7)}`, type: 'SymbolicLink', linkpath: '/etc/passwd' }],
      })
    },
    kind: 'invalid-argument',
    message: /symbolic link .*links are not allowed/,
  },
  {
    name: 'hardlink in the layout',
    archive: () =>
      ociWith(fxOf(), { extra: [{ path: 'blobs/sha256/hardlinked', type: 'Link', linkpath: 'index.json' }] }),
    kind: 'invalid-argument',
    message: /hard link .*links are not allowed/,
  },
  {
    name: 'blob whose bytes do not match its name',
    archive: () => {
      const fx = fxOf()
      const l = fx.images[0].layers[1].desc.digest
      return ociWith(fx, {
        omit: [l],
        extra: [{ path: `blobs/sha256/${l.slice(7)}`, data: Buffer.from('not the layer') }],
      })
    },
    kind: 'failed-precondition',
    message: /does not match its name/,
  },
  {
    name: 'descriptor whose size lies',
    archive: () => {
      const fx = fxOf()
      return ociWith(fx, {
        indexJSON: JSON.stringify({
          schemaVersion: 2,
          manifests: [{ ...fx.target, size: fx.target.size + 7 }],
        }),
      })
    },
    kind: 'invalid-argument',
    message: /says \d+ bytes, but the blob has \d+/,
  },
  {
    name: 'layer descriptor whose size lies',
    archive: () => {
      const img = fxOf().images[0]
      const lying = manifestBlob(img.config.desc, [{ ...img.layers[0].desc, size: 12 }, img.layers[1].desc])
      return ociWith(indexOnly(lying.desc, lying, img.config, ...img.layers))
    },
    kind: 'invalid-argument',
    message: /says 12 bytes/,
  },
  {
    name: 'index.json naming a missing blob',
    archive: () => {
      const fx = fxOf()
      return ociWith(fx, { omit: [fx.target.digest] })
    },
    kind: 'not-found',
    message: /is named in the archive but is not in it/,
  },
  {
    name: 'manifest naming a missing layer',
    archive: () => {
      const fx = fxOf()
      return ociWith(fx, { omit: [fx.images[0].layers[0].desc.digest] })
    },
    kind: 'not-found',
    message: /is named in the archive but is not in it/,
  },
  {
    name: 'manifest over 4,393,216 bytes',
    archive: () => {
      const img = fxOf().images[0]
      const huge = manifestBlob(
        img.config.desc,
        img.layers.map((l) => l.desc),
        { annotations: { pad: 'x'.repeat(4_393_216) } },
      )
      return ociWith(indexOnly(huge.desc, huge, img.config, ...img.layers))
    },
    kind: 'invalid-argument',
    message: /over the 4393216-byte manifest limit/,
  },
  {
    name: 'index nested too deep',
    archive: () => ociArchive([nestIndex(fxOf(), 40)]),
    kind: 'invalid-argument',
    message: /nested deeper than/,
  },
  {
    name: 'truncated tar',
    archive: () => {
      const buf = ociArchive([
        singlePlatformImage({ name: 'docker.io/library/bad:1', layerSize: 64 * 1024, compression: 'none' }),
      ])
      return buf.subarray(0, Math.floor(buf.length * 0.6))
    },
    kind: 'invalid-argument',
    message: /truncated/,
  },
  {
    name: 'truncated gzip archive',
    archive: () => {
      const buf = ociArchive([fxOf()], { compression: 'gzip' })
      return buf.subarray(0, Math.floor(buf.length * 0.6))
    },
    kind: 'invalid-argument',
    message: /truncated|corrupt gzip|unexpected end/i,
  },
  {
    name: 'not a tar',
    archive: () => randomBytes('not a tar', 10_000),
    kind: 'invalid-argument',
    message: /not a tar archive/,
  },
  {
    name: 'gzip of something that is not a tar',
    archive: () => gzipSync(Buffer.from('hello, this is just text\n'.repeat(100))),
    kind: 'invalid-argument',
    message: /not a tar archive/,
  },
  {
    name: 'duplicate entries with different content (index.json)',
    archive: () =>
      ociWith(fxOf(), {
        extra: [{ path: 'index.json', data: Buffer.from('{"schemaVersion":2,"manifests":[]}') }],
      }),
    kind: 'invalid-argument',
    message: /two entries named index\.json with different content/,
  },
  {
    name: 'duplicate entries with different content (docker-save layer)',
    archive: () => {
      const entries = dockerSaveEntries([{ fixture: fxOf() }])
      const layerEntry = entries.find((e) => e.path.endsWith('/layer.tar'))!
      return tarBuffer([...entries, { path: layerEntry.path, data: Buffer.from('other bytes') }])
    },
    kind: 'invalid-argument',
    message: /two entries named ".*layer\.tar" with different content/,
  },
  {
    name: 'malformed index.json',
    archive: () => ociWith(fxOf(), { indexJSON: '{"schemaVersion": 2, "manifests": [' }),
    kind: 'invalid-argument',
    message: /index\.json in the archive.*invalid JSON/,
  },
  {
    name: 'malformed manifest blob',
    archive: () => {
      const bad = blobOf('application/vnd.oci.image.manifest.v1+json', '{"schemaVersion": 2, "config": ')
      return ociWith(indexOnly(bad.desc, bad))
    },
    kind: 'invalid-argument',
    message: /invalid JSON/,
  },
  {
    name: 'malformed manifest.json (docker save)',
    archive: () => {
      const entries = dockerSaveEntries([{ fixture: fxOf() }]).filter((e) => e.path !== 'manifest.json')
      return tarBuffer([...entries, { path: 'manifest.json', data: Buffer.from('[{"Config": ') }])
    },
    kind: 'invalid-argument',
    message: /manifest\.json in the archive is not valid JSON/,
  },
  {
    name: 'schema 1 manifest (by media type)',
    archive: () => {
      const m = schema1Manifest()
      return ociWith(indexOnly(m.desc, m))
    },
    kind: 'not-implemented',
    message: /schema 1/,
  },
  {
    name: 'schema 1 manifest (fsLayers in a manifest declared OCI)',
    archive: () => {
      const m = blobOf('application/vnd.oci.image.manifest.v1+json', schema1Manifest().data)
      return ociWith(indexOnly(m.desc, m))
    },
    kind: 'not-implemented',
    message: /schema 1/,
  },
  {
    name: 'docker-save manifest.json naming a missing layer',
    archive: () => dockerSaveArchive([{ fixture: fxOf() }], { dropLayer: 1 }),
    kind: 'not-found',
    message: /manifest\.json names layer .*which is not in the archive/,
  },
  {
    name: 'docker-save symlink leaving the archive',
    archive: () => {
      const entries = dockerSaveEntries([{ fixture: fxOf() }], { dropLayer: 0 })
      const m = JSON.parse(entries.find((e) => e.path === 'manifest.json')!.data!.toString())
      return tarBuffer([
        ...entries,
        { path: m[0].Layers[0], type: 'SymbolicLink', linkpath: '../../../etc/shadow' },
      ])
    },
    kind: 'invalid-argument',
    message: /symbolic link leaving the archive/,
  },
  {
    name: 'unsupported oci-layout version',
    archive: () =>
      tarBuffer(
        ociLayoutEntries([fxOf()]).map((e) =>
          e.path === 'oci-layout' ? { ...e, data: Buffer.from('{"imageLayoutVersion":"9.9"}') } : e,
        ),
      ),
    kind: 'invalid-argument',
    message: /unsupported OCI layout version "9\.9"/,
  },
  {
    name: 'a tar that is no image archive',
    archive: () => tarBuffer([{ path: 'README', data: Buffer.from('hello') }]),
    kind: 'invalid-argument',
    message: /unrecognized image format/,
  },
  {
    name: 'gzip bomb when diff IDs are computed (bounded)',
    archive: () => {
      const bomb = gzipSync(Buffer.alloc(32 << 20), { level: 9 })
      const l = blobOf('application/vnd.oci.image.layer.v1.tar+gzip', bomb)
      const cfg = configBlob(platformOf('linux/amd64'), [sha256('whatever')])
      const m = manifestBlob(cfg.desc, [l.desc])
      return ociWith(indexOnly(m.desc, m, cfg, l))
    },
    opts: { verifyDiffIds: true, maxUncompressed: 4 << 20 },
    kind: 'invalid-argument',
    message: /uncompress|limit|exceed|bomb/i,
  },
  {
    name: 'zstd bomb when diff IDs are computed (default bound)',
    archive: () => {
      const bomb = zstdCompressSync(Buffer.alloc(320 << 20))
      const l = blobOf('application/vnd.oci.image.layer.v1.tar+zstd', bomb)
      const cfg = configBlob(platformOf('linux/amd64'), [sha256('whatever')])
      const m = manifestBlob(cfg.desc, [l.desc])
      return ociWith(indexOnly(m.desc, m, cfg, l))
    },
    opts: { verifyDiffIds: true },
    kind: 'invalid-argument',
    message: /uncompress|limit|exceed|bomb/i,
  },
  {
    name: 'layer whose diff ID does not match the config',
    archive: () => {
      const good = layer('diff-mismatch', 2048, { compression: 'gzip' })
      const cfg = configBlob(platformOf('linux/amd64'), [sha256('not the diff id')])
      const m = manifestBlob(cfg.desc, [good.desc])
      return ociWith(indexOnly(m.desc, m, cfg, good))
    },
    opts: { verifyDiffIds: true },
    kind: 'invalid-argument',
    message: /diff ID/,
  },
]

describe('hostile archives', () => {
  it.each(cases)('$name', async (c) => {
    const file = s.file(`hostile-${n++}.tar`, c.archive())
    await expectRefused(s, file, { allPlatforms: true, ...c.opts }, c.kind, c.message)
  })

  it('a cancelled import leaves the store as it was', async () => {
    const before = s.snapshot()
    const ac = new AbortController()
    const fx = multiPlatformImage({ name: 'docker.io/library/cancel:1', layerSize: 256 * 1024 })
    const file = s.file('cancel.tar', ociArchive([fx]))
    let entries = 0
    const p = importArchive(s, 'default', file, {
      allPlatforms: true,
      signal: ac.signal,
      onProgress: (x) => {
        if (x.current.startsWith('blobs/') && ++entries === 5) ac.abort()
      },
    })
    await expect(p).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/cancelled/),
    })
    expect(s.snapshot()).toEqual(before)
  })

  it('a reference cycle is refused by the walk the import runs', async () => {
    // Content addressing makes a real cycle unconstructible in an archive; a provider that does not
    // verify digests shows the guard the import relies on.
    const idx: Descriptor = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: sha256('cycle'),
      size: 0,
    }
    // The index lists itself with its own size: settle the size field's digits first.
    let body = Buffer.alloc(0)
    for (let i = 0; i < 3; i++) {
      body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [idx] }))
      idx.size = body.length
    }
    const p: Provider = { readBlob: async () => body, has: async () => true }
    await expect(walk(childrenHandler(p), idx)).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/cycle/),
    })
  })

  it('an archive that is a directory with a symlink is refused', async () => {
    const { writeOCILayoutDir } = await import('../fixtures/images')
    const { symlinkSync } = await import('node:fs')
    const dir = join(s.dir, 'layout-symlink')
    const fx = fxOf()
    const l = fx.images[0].layers[0].desc.digest
    writeOCILayoutDir(dir, [fx], { omit: [l] })
    symlinkSync('/etc/passwd', join(dir, 'blobs', 'sha256', l.slice(7)))
    const before = s.snapshot()
    await expect(importArchive(s, 'default', dir, { allPlatforms: true })).rejects.toMatchObject({
      kind: 'invalid-argument',
    })
    expect(s.snapshot()).toEqual(before)
  })
})

void createGzip
void jsonBlob
void indexBlob
