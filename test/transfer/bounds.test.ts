// Archives built to exhaust the importer: too many entries, junk entries, a descriptor graph that explodes
// when shared entries are revisited, a decompression bomb, a disk too small, and headers and names Go's tar
// reader or the reference grammar refuse. Each is refused with a clear error naming the problem and leaves
// the store exactly as it was — or, where the archive is legitimate, imports without the blow-up.
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Header } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContentStore } from '../../src-main/core/content/store'
import { MAX_ARCHIVE_ENTRIES } from '../../src-main/core/transfer/archive'
import { importArchive } from '../../src-main/core/transfer/import'
import { SPACE_SLACK, statfsFree } from '../../src-main/core/transfer/space'
import { MediaTypeOCIIndex } from '../../src-main/core/oci'
import {
  TAR_END,
  tarBuffer,
  tarHeader,
  tarPadding,
  type TarBufferEntry,
} from '../../src-main/core/transfer/tar-writer'
import {
  blobOf,
  indexBlob,
  indexOnly,
  jsonBlob,
  ociLayoutEntries,
  singlePlatformImage,
  type ImageFixture,
} from '../fixtures/images'
import { expectRefused, storeWithImage, type TestStore } from './helpers'

let s: TestStore
let n = 0

beforeAll(async () => {
  s = await storeWithImage()
})
afterAll(() => s.close())

const fx = (seed = 'bounds'): ImageFixture => singlePlatformImage({ name: 'docker.io/library/bound:1', seed })
const file = (data: Buffer) => s.file(`bounds-${n++}.tar`, data)
const archive = (entries: TarBufferEntry[]) => file(tarBuffer(entries))
const digests = () => new Set(s.db.prepare('SELECT digest FROM content').pluck().all() as string[])

describe('entries', () => {
  it(`an archive of more than ${MAX_ARCHIVE_ENTRIES} entries is refused`, async () => {
    const junk = Array.from({ length: MAX_ARCHIVE_ENTRIES + 1 }, (_, i) =>
      tarHeader({ path: `junk/${i}`, size: 0 }),
    )
    const path = file(Buffer.concat([tarBuffer(ociLayoutEntries([fx()]), { end: false }), ...junk, TAR_END]))
    await expectRefused(
      s,
      path,
      { allPlatforms: true },
      'invalid-argument',
      new RegExp(`more than ${MAX_ARCHIVE_ENTRIES} entries`),
    )
  })

  it('a smaller cap can be asked for', async () => {
    const entries = ociLayoutEntries([fx()])
    const junk = Array.from({ length: 20 }, (_, i) => ({ path: `junk/${i}`, data: Buffer.from(`${i}`) }))
    await expectRefused(
      s,
      archive([...entries, ...junk]),
      { allPlatforms: true, maxEntries: 10 },
      'invalid-argument',
      /more than 10 entries/,
    )
  })

  it('junk entries are neither committed one by one nor kept', async () => {
    const f = fx('junk')
    const junkBlobs = Array.from({ length: 1500 }, (_, i) => blobOf('application/octet-stream', `junk ${i}`))
    const junkFiles = Array.from({ length: 1000 }, (_, i) => ({
      path: `junk/${i}`,
      data: Buffer.from(`f${i}`),
    }))
    const entries = [
      ...ociLayoutEntries([f]),
      ...junkBlobs.map((b) => ({ path: `blobs/sha256/${b.desc.digest.slice(7)}`, data: b.data })),
      ...junkFiles,
    ]
    // The real store, with its writer() opens counted: each one is an ingest and a commit with fsyncs.
    let writers = 0
    const counted = new Proxy(s.content, {
      get(t, k) {
        if (k === 'writer') {
          return (...a: Parameters<ContentStore['writer']>) => {
            writers++
            return t.writer(...a)
          }
        }
        const v = Reflect.get(t, k, t) as unknown
        return typeof v === 'function' ? v.bind(t) : v
      },
    })
    const r = await importArchive(
      { db: s.db, content: counted, images: s.images },
      'default',
      archive(entries),
      {
        allPlatforms: true,
      },
    )
    expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/bound:1'])
    // The image's blobs only (index.json itself is not kept: no image names it).
    expect(writers).toBeLessThanOrEqual(f.blobs.size + 1)
    const have = digests()
    for (const d of f.blobs.keys()) expect(have.has(d)).toBe(true)
    for (const b of junkBlobs) expect(have.has(b.desc.digest)).toBe(false)
    expect(r.added).toBe(f.blobs.size)
  })
})

describe('descriptors', () => {
  // An index listing another index 10,000 times, which lists one manifest 10,000 times.
  const shared = () => {
    const f = fx('shared')
    const img = f.images[0]
    const inner = indexBlob(Array.from({ length: 10_000 }, () => img.manifest.desc))
    const outer = indexBlob(Array.from({ length: 10_000 }, () => inner.desc))
    return {
      outer,
      file: archive(
        ociLayoutEntries([indexOnly(outer.desc, outer, inner, img.manifest, img.config, ...img.layers)]),
      ),
    }
  }

  it('each descriptor is visited once: shared entries import in one pass', async () => {
    const { outer, file: path } = shared()
    const r = await importArchive(s, 'default', path, { allPlatforms: true })
    expect(r.images.map((i) => i.target.digest)).toEqual([outer.desc.digest])
    s.images.delete('default', 'docker.io/library/bad:1')
  })

  it('a cap on descriptors per import', async () => {
    await expectRefused(
      s,
      shared().file,
      { allPlatforms: true, maxDescriptors: 15_000 },
      'invalid-argument',
      /names more than 15000 descriptors .*too complex/,
    )
  })
})

describe('decompression and disk', () => {
  it('a .tar.gz expanding far past its size is refused as a bomb', async () => {
    // 512 MiB of zeros as eight 64 MiB gzip members: about half a megabyte on disk. The entry is a legacy
    // per-layer file the importer does not store, so only the bound can stop it.
    const zeros = gzipSync(Buffer.alloc(64 << 20), { level: 9 })
    const head = gzipSync(
      Buffer.concat([
        tarBuffer(ociLayoutEntries([fx()]), { end: false }),
        tarHeader({ path: 'old/json', size: 8 * (64 << 20) }),
      ]),
    )
    const bomb = Buffer.concat([head, ...Array.from({ length: 8 }, () => zeros), gzipSync(TAR_END)])
    await expectRefused(
      s,
      file(bomb),
      { allPlatforms: true },
      'invalid-argument',
      /gzip stream expands to more than \d+ bytes from \d+ compressed bytes; .*decompression bomb/,
    )
  })

  it('an entry that does not fit in the free space is refused before it is written', async () => {
    const f = singlePlatformImage({ name: 'docker.io/library/big:1', seed: 'space', layerSize: 300_000 })
    await expectRefused(
      s,
      archive(ociLayoutEntries([f])),
      { allPlatforms: true, freeSpace: () => SPACE_SLACK + 100_000 },
      'failed-precondition',
      /not enough free space for archive entry "blobs\/sha256\/[0-9a-f]{64}": it declares \d+ bytes, and \d+ bytes are free/,
    )
  })

  it('where the system cannot say how much is free, the import goes on', async () => {
    expect(statfsFree(s.root)).toBeGreaterThan(0)
    const f = fx('nospace')
    const r = await importArchive(s, 'default', archive(ociLayoutEntries([f])), {
      allPlatforms: true,
      freeSpace: () => undefined,
    })
    expect(r.images[0].target.digest).toBe(f.target.digest)
  })
})

/** A PAX extended header carrying `path`, then a regular file with `data`, as Go and GNU tar write them. */
function paxFile(path: string, data: Buffer): Buffer {
  const body = ` path=${path}\n`
  let len = Buffer.byteLength(body) + 1
  while (Buffer.byteLength(`${len}${body}`) !== len) len = Buffer.byteLength(`${len}${body}`)
  const rec = Buffer.from(`${len}${body}`)
  const block = Buffer.alloc(512)
  new Header({
    path: 'PaxHeaders/0',
    type: 'ExtendedHeader',
    size: rec.length,
    mode: 0o644,
    mtime: new Date(0),
  }).encode(block, 0)
  return Buffer.concat([
    block,
    rec,
    tarPadding(rec.length),
    tarHeader({ path: 'placeholder', size: data.length }),
    data,
    tarPadding(data.length),
  ])
}

describe('headers and documents', () => {
  it('a PAX path holding a NUL is a malformed header, as Go reads it', async () => {
    const f = fx('pax')
    const l = f.images[0].layers[0]
    const rest = ociLayoutEntries([f]).filter((e) => !e.path.endsWith(l.desc.digest.slice(7)))
    const tar = Buffer.concat([
      tarBuffer(rest, { end: false }),
      paxFile(`blobs/sha256/${l.desc.digest.slice(7)}\0.evil`, l.data),
      TAR_END,
    ])
    await expectRefused(
      s,
      file(tar),
      { allPlatforms: true },
      'invalid-argument',
      /malformed tar header: PAX record "path" holds a NUL byte \(value "blobs\/sha256\/[0-9a-f]{64}\\u0000\.evil"\)/,
    )
  })

  it('index.json with a schemaVersion other than 2 is refused', async () => {
    const f = fx('schema')
    const index = JSON.stringify({ schemaVersion: 1, manifests: [f.target] })
    await expectRefused(
      s,
      archive(ociLayoutEntries([f], { indexJSON: index })),
      { allPlatforms: true },
      'invalid-argument',
      /index\.json in the archive has schemaVersion 1: an OCI image index must have schemaVersion 2/,
    )
  })

  it('a nested index with a schemaVersion other than 2 is refused', async () => {
    const img = fx('schema-nested').images[0]
    const idx = jsonBlob(MediaTypeOCIIndex, {
      schemaVersion: 3,
      mediaType: MediaTypeOCIIndex,
      manifests: [img.desc],
    })
    await expectRefused(
      s,
      archive(ociLayoutEntries([indexOnly(idx.desc, idx, img.manifest, img.config, ...img.layers)])),
      { allPlatforms: true },
      'invalid-argument',
      /index sha256:[0-9a-f]{64} has schemaVersion 3/,
    )
  })

  it.each([
    ['path traversal', 'docker.io/x/../../../../etc/passwd:latest', /invalid repository path/],
    ['a newline and ESC', 'docker.io/library/a:1\n\u001b[31mEVIL', /invalid tag/],
    ['upper case', 'docker.io/Library/a:1', /must be lowercase/],
  ])('an image name with %s is refused by the reference grammar', async (_, name, why) => {
    const err = await expectRefused(
      s,
      archive(ociLayoutEntries([{ fixture: fx('names'), name }])),
      { allPlatforms: true },
      'invalid-argument',
      /the archive names an image ".*": /,
    )
    expect(err.message).toMatch(why)
    // eslint-disable-next-line no-control-regex -- a raw control character is what must not appear
    expect(err.message).not.toMatch(/[\n\u001b]/)
  })
})

describe('names in messages', () => {
  const NASTY = 'a\nb\u001b[2J\u202ec'
  const cases: { name: string; entries: () => TarBufferEntry[]; opts?: object }[] = [
    {
      name: 'path traversal',
      entries: () => [...ociLayoutEntries([fx()]), { path: `../${NASTY}`, data: Buffer.from('x') }],
    },
    {
      name: 'a backslash',
      entries: () => [...ociLayoutEntries([fx()]), { path: `x\\${NASTY}`, data: Buffer.from('x') }],
    },
    {
      name: 'not a blob name',
      entries: () => [...ociLayoutEntries([fx()]), { path: `blobs/sha256/${NASTY}`, data: Buffer.from('x') }],
    },
    {
      name: 'a link',
      entries: () => [
        ...ociLayoutEntries([fx()]),
        { path: `blobs/${NASTY}`, type: 'SymbolicLink', linkpath: `/${NASTY}` },
      ],
    },
    {
      name: 'two entries with different content',
      entries: () => [
        ...ociLayoutEntries([fx()]),
        { path: `x/${NASTY}`, data: Buffer.from('1') },
        { path: `x/${NASTY}`, data: Buffer.from('2') },
      ],
    },
    {
      name: 'an oci-layout version',
      entries: () =>
        ociLayoutEntries([fx()]).map((e) =>
          e.path === 'oci-layout'
            ? { ...e, data: Buffer.from(JSON.stringify({ imageLayoutVersion: NASTY })) }
            : e,
        ),
    },
    {
      name: 'a docker-save file name',
      entries: () => [
        {
          path: 'manifest.json',
          data: Buffer.from(JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: [NASTY] }])),
        },
        { path: 'c.json', data: Buffer.from('{}') },
      ],
    },
    {
      name: 'a docker-save tag',
      entries: () => {
        const img = fx().images[0]
        const m = [{ Config: 'c.json', RepoTags: [NASTY], Layers: ['l.tar'] }]
        return [
          { path: 'manifest.json', data: Buffer.from(JSON.stringify(m)) },
          { path: 'c.json', data: img.config.data },
          { path: 'l.tar', data: img.layers[0].uncompressed },
        ]
      },
    },
    {
      name: 'a digest in index.json',
      entries: () => {
        const f = fx()
        return ociLayoutEntries([f], {
          indexJSON: JSON.stringify({
            schemaVersion: 2,
            manifests: [{ ...f.target, digest: `sha256:${NASTY}` }],
          }),
        })
      },
    },
    {
      name: 'an annotation key in index.json',
      entries: () => {
        const f = fx()
        return ociLayoutEntries([f], {
          indexJSON: JSON.stringify({
            schemaVersion: 2,
            manifests: [{ ...f.target, annotations: { [NASTY]: 1 } }],
          }),
        })
      },
    },
    {
      name: 'a piece of a malformed index.json',
      entries: () => ociLayoutEntries([fx()], { indexJSON: `{"schemaVersion": 2, "manifests": [${NASTY}` }),
    },
  ]
  it.each(cases)('$name is quoted with JSON-style escapes', async (c) => {
    const before = s.snapshot()
    const err = await importArchive(s, 'default', archive(c.entries()), { allPlatforms: true }).then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err, 'the import must fail').toBeInstanceOf(Error)
    const msg = err!.message
    // eslint-disable-next-line no-control-regex -- a raw control character is what must not appear
    expect(msg).not.toMatch(/[\n\r\u001b\u202e]/)
    expect(msg).toContain('a\\nb\\u001b[2J\\u202ec')
    expect(s.snapshot()).toEqual(before)
  })
})

describe('the import spool', () => {
  it('goes when the import ends; one a crashed import left is swept by the next import', async () => {
    const ingest = join(s.root, 'ingest')
    const stale = join(ingest, 'import-1-gone.spool')
    const young = join(ingest, 'import-2-starting.spool')
    writeFileSync(stale, 'left by a crash')
    writeFileSync(young, 'an import whose lease is about to appear')
    const old = new Date(Date.now() - 3600_000)
    utimesSync(stale, old, old)
    const f = fx('spool')
    await importArchive(s, 'default', archive(ociLayoutEntries([f])), { allPlatforms: true })
    expect(readdirSync(ingest)).toEqual(['import-2-starting.spool'])
    rmSync(young)
  })
})
