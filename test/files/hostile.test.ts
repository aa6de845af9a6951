// Layers that lie or overreach: each fails with an error naming the problem, and leaves no index behind —
// not a complete one (a reader would trust it) and not a partial one (rows of an attempt are removed).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Header } from 'tar'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src-main/core/db'
import { escapeName } from '../../src-main/core/files/escape'
import { indexLayer, layerEntries } from '../../src-main/core/files/layer-index'
import type { Descriptor } from '../../src-main/core/oci'
import { blobOf, compress, layerMediaType, randomBytes, sha256 } from '../fixtures/blobs'
import { layerTarOf, tarEntry, type TarSpec } from '../fixtures/layers'
import { BASE, LONG_FILE } from './demo-image'
import { memoryProvider } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'berth-hostile-'))
let db: Database
let n = 0

beforeEach(() => {
  db?.close()
  db = openDatabase(join(dir, `db-${n++}.db`))
})

afterAll(() => {
  db?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A layer blob of exactly these bytes, claimed to have diff ID `diffId` (default: the honest one). */
function blob(bytes: Buffer, mediaType = layerMediaType('oci', 'gzip')): { desc: Descriptor; data: Buffer } {
  const b = blobOf(mediaType, bytes)
  return { desc: b.desc, data: b.data }
}

async function index(bytes: Buffer, diffId: string, opts: Parameters<typeof indexLayer>[4] = {}) {
  const b = blob(bytes)
  return indexLayer(db, memoryProvider(new Map([[b.desc.digest, b.data]])), b.desc, diffId, opts)
}

function nothingLeft(): void {
  expect(db.prepare('SELECT count(*) FROM file_layers').pluck().get()).toBe(0)
  expect(db.prepare('SELECT count(*) FROM file_layer_chunks').pluck().get()).toBe(0)
}

const tar = layerTarOf(BASE)
const gz = compress(tar, 'gzip')

describe('an archive that lies', () => {
  it('a truncated gzip stream', async () => {
    await expect(index(gz.subarray(0, gz.length >> 1), sha256(tar))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/cannot read its gzip stream: unexpected end of file/),
    })
    nothingLeft()
  })

  it('a corrupt gzip stream', async () => {
    const bad = Buffer.from(gz)
    for (let i = 40; i < 80; i++) bad[i] ^= 0x5a
    await expect(index(bad, sha256(tar))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/cannot read its gzip stream/),
    })
    nothingLeft()
  })

  it('a tar cut in the middle of an entry', async () => {
    const cut = tar.subarray(0, 512 * 12 + 100)
    await expect(index(compress(cut, 'gzip'), sha256(cut))).rejects.toThrow(
      /not a valid tar: Truncated input/,
    )
    nothingLeft()
  })

  it('a header whose checksum is wrong', async () => {
    const bad = Buffer.from(tar)
    bad[2] ^= 0x01 // in the first header's name
    await expect(index(compress(bad, 'gzip'), sha256(bad))).rejects.toThrow(/checksum failure/)
    nothingLeft()
  })

  it('a config naming another diff ID than the layer has', async () => {
    const other = sha256('another layer')
    await expect(index(gz, other)).rejects.toThrow(
      new RegExp(`hashes to ${sha256(tar)}, but the config's rootfs.diff_ids says ${other}`),
    )
    nothingLeft()
  })

  it('bytes that are no tar at all, and a tar compressed twice', async () => {
    const noise = randomBytes('noise', 4096)
    await expect(index(compress(noise, 'gzip'), sha256(noise))).rejects.toThrow(/not a valid tar/)
    await expect(index(compress(gz, 'gzip'), sha256(gz))).rejects.toThrow(/compressed twice/)
    nothingLeft()
  })
})

describe('bounds', () => {
  it('on the number of entries', async () => {
    await expect(index(gz, sha256(tar), { limits: { maxEntries: 5, maxName: 4096 } })).rejects.toThrow(
      /more than 5 entries/,
    )
    nothingLeft()
  })

  it('on the length of a name', async () => {
    await expect(index(gz, sha256(tar), { limits: { maxEntries: 100, maxName: 100 } })).rejects.toThrow(
      /longer than 100 bytes/,
    )
    expect(Buffer.byteLength(LONG_FILE)).toBeGreaterThan(100)
    nothingLeft()
  })

  it('on the bytes a layer inflates to', async () => {
    const zeros = layerTarOf([{ path: 'zeros', data: Buffer.alloc(8 << 20) }])
    const bomb = compress(zeros, 'gzip')
    await expect(index(bomb, sha256(zeros), { maxUncompressed: 1 << 20 })).rejects.toThrow(
      /decompresses to more than 1048576 bytes/,
    )
    nothingLeft()
  })

  it('on the size of a PAX header', async () => {
    const record = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`
      let len = body.length + 1
      while (String(len).length + body.length !== len) len++
      return `${len}${body}`
    }
    const pax = Buffer.from(record('comment', 'x'.repeat(1_200_000)))
    const h = Buffer.alloc(512)
    new Header({ path: 'PaxHeader/x', type: 'ExtendedHeader', size: pax.length, mode: 0o644 }).encode(h, 0)
    const t = Buffer.concat([
      h,
      pax,
      Buffer.alloc((512 - (pax.length % 512)) % 512),
      layerTarOf([{ path: 'x' }]),
    ])
    await expect(index(compress(t, 'gzip'), sha256(t))).rejects.toThrow(/ExtendedHeader header of \d+ bytes/)
    nothingLeft()
  })

  it('stops at once when cancelled, and keeps nothing', async () => {
    const big = layerTarOf(
      Array.from({ length: 2000 }, (_, i) => ({ path: `f${i}`, data: randomBytes(`c${i}`, 2048) })),
    )
    const ac = new AbortController()
    const p = index(compress(big, 'gzip'), sha256(big), {
      signal: ac.signal,
      onRead: (b) => b > 100_000 && ac.abort(new Error('cancelled by test')),
    })
    await expect(p).rejects.toThrow()
    nothingLeft()
  })
})

describe('what is legal stays legal', () => {
  it('an empty layer (two zero blocks) and a layer of no bytes at all', async () => {
    const empty = Buffer.alloc(1024)
    expect(await index(compress(empty, 'gzip'), sha256(empty))).toMatchObject({ entries: 0, tarBytes: 1024 })
    expect(await index(compress(Buffer.alloc(0), 'gzip'), sha256(''))).toMatchObject({ entries: 0 })
  })

  it('zstd and uncompressed layers, whatever the media type claims', async () => {
    const z = blob(compress(tar, 'zstd'), layerMediaType('oci', 'gzip'))
    const r = await indexLayer(db, memoryProvider(new Map([[z.desc.digest, z.data]])), z.desc, sha256(tar))
    expect(r.entries).toBe(BASE.length)
    const u = blob(tar, layerMediaType('oci', 'none'))
    const r2 = await indexLayer(db, memoryProvider(new Map([[u.desc.digest, u.data]])), u.desc, sha256(tar))
    expect(r2.id).toBe(r.id)
  })

  it('hostile names are indexed as they are and shown escaped', async () => {
    const names = ['evil\x1b[2J\x1b]0;pwned\x07', 'two\nlines', 'exe\u202Etxt.sh', 'back\\slash', 'tab\there']
    const t = layerTarOf(names.map((p): TarSpec => ({ path: p, data: 'x' })))
    const layer = await index(compress(t, 'gzip'), sha256(t))
    expect(layerEntries(db, layer).map((e) => e.path)).toEqual(names)
    expect(names.map(escapeName)).toEqual([
      'evil\\x1b[2J\\x1b]0;pwned\\x07',
      'two\\nlines',
      'exe\\u202etxt.sh',
      'back\\\\slash',
      'tab\\there',
    ])
  })

  it('paths are cleaned as an unpacker resolves them: never above the root', async () => {
    const t = Buffer.concat([
      tarEntry({ path: './a//b/', type: 'dir' }),
      tarEntry({ path: '/abs', data: '1' }),
      tarEntry({ path: '../../escape', data: '2' }),
      tarEntry({ path: 'a/./b/../c', data: '3' }),
      Buffer.alloc(1024),
    ])
    const layer = await index(compress(t, 'gzip'), sha256(t))
    expect(layerEntries(db, layer).map((e) => e.path)).toEqual(['a/b', 'abs', 'escape', 'a/c'])
  })
})
