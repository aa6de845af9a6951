// Diff IDs of real gzip/zstd tar layers in the real content store: streaming decompression, magic-number
// detection, the containerd.io/uncompressed label as a cache, bounded output (bombs), verifyDiffIDs.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tar from 'tar'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { digestOf } from '../../../../src-main/core/digest'
import { isKind } from '../../../../src-main/core/errors'
import {
  detectCompression,
  getDiffID,
  verifyDiffIDs,
  type DiffIDStore,
} from '../../../../src-main/core/images/diffid'
import {
  digestHex,
  MediaTypeDockerLayer,
  MediaTypeDockerLayerForeign,
  MediaTypeDockerLayerGzip,
  MediaTypeOCILayer,
  MediaTypeOCILayerGzip,
  MediaTypeOCILayerNonDistributable,
  type Descriptor,
} from '../../../../src-main/core/oci'
import { makeCompressedLayer, makeConfig, MemProvider, type Layer } from './fixtures'
import { load, realStore, type RealStore } from './store'

const UNCOMPRESSED = 'containerd.io/uncompressed'
const NS = 'walker'

/** A real tar made by the tar package from a generated directory. */
function makeTar(files: Record<string, Uint8Array | string>): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tar-'))
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data)
    const out = join(dir, '..', `${dir.split('/').pop()}.tar`)
    tar.c({ cwd: dir, file: out, sync: true, portable: true }, Object.keys(files))
    const bytes = readFileSync(out)
    rmSync(out)
    return bytes
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Concatenated gzip members of zeros: a small blob that inflates `ratio`-fold per member. */
function gzipBomb(members: number, memberBytes: number): Uint8Array {
  const one = gzipSync(Buffer.alloc(memberBytes), { level: 9 })
  return Buffer.concat(Array.from({ length: members }, () => one))
}

describe('detectCompression', () => {
  it.each([
    ['gzip', gzipSync(Buffer.from('x')), 'gzip'],
    ['zstd', zstdCompressSync(Buffer.from('x')), 'zstd'],
    ['zstd skippable frame', Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), 'zstd'],
    ['tar', Buffer.from('ustar'), 'none'],
    ['empty', Buffer.alloc(0), 'none'],
    ['gzip magic without deflate method', Buffer.from([0x1f, 0x8b, 0x07]), 'none'],
  ])('%s', (_, bytes, want) => {
    expect(detectCompression(bytes)).toBe(want)
  })
})

describe('getDiffID on the real content store', () => {
  let rs: RealStore
  let p: MemProvider
  let tarBytes: Uint8Array
  let gz: Layer
  let zs: Layer
  beforeEach(async () => {
    rs = realStore()
    p = new MemProvider()
    tarBytes = makeTar({ 'hello.txt': 'hello walker\n', 'random.bin': randomBytes(200_000) })
    gz = makeCompressedLayer(p, tarBytes, 'gzip')
    zs = makeCompressedLayer(p, tarBytes, 'zstd')
    await load(rs.cs, NS, p)
  })
  afterEach(() => rs.cleanup())

  it('decompresses gzip and zstd layers to the same diff ID, the tar digest', async () => {
    expect(await getDiffID(rs.cs, NS, gz.desc)).toBe(digestOf(tarBytes))
    expect(await getDiffID(rs.cs, NS, zs.desc)).toBe(digestOf(tarBytes))
  })

  it('writes the label back, merged with other labels, and then uses it', async () => {
    await rs.cs.update(NS, { digest: gz.desc.digest, labels: { other: 'kept' } })
    const d = await getDiffID(rs.cs, NS, gz.desc)
    expect((await rs.cs.info(NS, gz.desc.digest)).labels).toEqual({ other: 'kept', [UNCOMPRESSED]: d })
    // The label is trusted from now on: a different (valid) value is returned as is.
    const planted = 'sha256:' + 'e'.repeat(64)
    await rs.cs.update(
      NS,
      { digest: gz.desc.digest, labels: { [UNCOMPRESSED]: planted } },
      `labels.${UNCOMPRESSED}`,
    )
    expect(await getDiffID(rs.cs, NS, gz.desc)).toBe(planted)
  })

  it('a label that is not a digest is InvalidArgument', async () => {
    await rs.cs.update(NS, { digest: zs.desc.digest, labels: { [UNCOMPRESSED]: 'nope' } })
    await expect(getDiffID(rs.cs, NS, zs.desc)).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && (e as Error).message.includes(UNCOMPRESSED),
    )
  })

  it.each([
    MediaTypeDockerLayer,
    MediaTypeOCILayer,
    MediaTypeDockerLayerForeign,
    MediaTypeOCILayerNonDistributable,
  ])('%s is its own diff ID, without reading the store', async (mt) => {
    const desc: Descriptor = { mediaType: mt, digest: 'sha256:' + '1'.repeat(64), size: 3 }
    expect(await getDiffID(rs.cs, NS, desc)).toBe(desc.digest)
  })

  it('detects the compression from the bytes, not the media type', async () => {
    const mislabeled = { ...zs.desc, mediaType: MediaTypeDockerLayerGzip }
    expect(await getDiffID(rs.cs, NS, mislabeled)).toBe(digestOf(tarBytes))
    const q = new MemProvider()
    const plain = q.put(tarBytes, MediaTypeOCILayerGzip)
    await load(rs.cs, NS, q)
    expect(await getDiffID(rs.cs, NS, plain)).toBe(digestOf(tarBytes))
  })

  it('a blob the namespace does not have is NotFound', async () => {
    await expect(getDiffID(rs.cs, 'other', gz.desc)).rejects.toSatisfy((e) => isKind(e, 'not-found'))
  })

  it('a gzip bomb is stopped by the default bound and gets no label', async () => {
    const q = new MemProvider()
    // ~1 KiB per member inflating to 1 MiB: 1 GiB out of about 1 MiB in.
    const bomb = q.put(gzipBomb(1024, 1 << 20), MediaTypeOCILayerGzip)
    await load(rs.cs, NS, q)
    const t0 = Date.now()
    await expect(getDiffID(rs.cs, NS, bomb)).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && /decompression bomb/.test((e as Error).message),
    )
    expect(Date.now() - t0).toBeLessThan(30_000)
    expect((await rs.cs.info(NS, bomb.digest)).labels).toEqual({})
  })

  it('maxUncompressed bounds zstd output too; at the exact size it passes', async () => {
    await expect(getDiffID(rs.cs, NS, zs.desc, { maxUncompressed: tarBytes.length - 1 })).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument'),
    )
    expect(await getDiffID(rs.cs, NS, zs.desc, { maxUncompressed: tarBytes.length })).toBe(digestOf(tarBytes))
  })

  it('a truncated gzip stream is InvalidArgument', async () => {
    const q = new MemProvider()
    const whole = gzipSync(tarBytes)
    const cut = q.put(whole.subarray(0, whole.length - 100), MediaTypeOCILayerGzip)
    await load(rs.cs, NS, q)
    await expect(getDiffID(rs.cs, NS, cut)).rejects.toSatisfy((e) => isKind(e, 'invalid-argument'))
  })

  it('a blob swapped on disk for other bytes is refused (FailedPrecondition) and never labelled', async () => {
    const file = join(rs.cs.root, 'blobs', 'sha256', digestHex(gz.desc.digest))
    // Another gzip of the same tar inflates to the right diff ID, but it is not the blob named.
    writeFileSync(file, gzipSync(tarBytes, { level: 1 }))
    await expect(getDiffID(rs.cs, NS, gz.desc)).rejects.toSatisfy(
      (e) => isKind(e, 'failed-precondition') && /is corrupt/.test((e as Error).message),
    )
    expect((await rs.cs.info(NS, gz.desc.digest)).labels[UNCOMPRESSED]).toBeUndefined()
  })

  it('a blob whose gzip trailer is corrupt is InvalidArgument', async () => {
    const file = join(rs.cs.root, 'blobs', 'sha256', digestHex(gz.desc.digest))
    const bytes = readFileSync(file)
    bytes[bytes.length - 5] ^= 0xff // inside the CRC32
    writeFileSync(file, bytes)
    await expect(getDiffID(rs.cs, NS, gz.desc)).rejects.toSatisfy((e) => isKind(e, 'invalid-argument'))
    expect((await rs.cs.info(NS, gz.desc.digest)).labels[UNCOMPRESSED]).toBeUndefined()
  })

  it('verifyDiffIDs accepts matching layers, from a parsed config or its descriptor', async () => {
    const config = makeConfig(p, { diffIDs: [gz.diffID, zs.diffID] })
    await load(rs.cs, NS, p)
    const manifest = { schemaVersion: 2 as const, config, layers: [gz.desc, zs.desc] }
    expect(await verifyDiffIDs(rs.cs, NS, manifest, config)).toEqual([gz.diffID, zs.diffID])
    expect(
      await verifyDiffIDs(rs.cs, NS, manifest, {
        rootfs: { type: 'layers', diff_ids: [gz.diffID, zs.diffID] },
      }),
    ).toEqual([gz.diffID, zs.diffID])
  })

  it('verifyDiffIDs refuses a count mismatch and a wrong diff ID, naming the layer', async () => {
    const manifest = { schemaVersion: 2 as const, config: gz.desc, layers: [gz.desc, zs.desc] }
    await expect(
      verifyDiffIDs(rs.cs, NS, manifest, { rootfs: { type: 'layers', diff_ids: [gz.diffID] } }),
    ).rejects.toSatisfy(
      (e) =>
        isKind(e, 'invalid-argument') &&
        /mismatched image rootfs and manifest layers/.test((e as Error).message),
    )
    const wrong = 'sha256:' + '0'.repeat(64)
    await expect(
      verifyDiffIDs(rs.cs, NS, manifest, { rootfs: { type: 'layers', diff_ids: [gz.diffID, wrong] } }),
    ).rejects.toSatisfy((e) => isKind(e, 'invalid-argument') && (e as Error).message.includes(zs.desc.digest))
  })
})

describe('getDiffID over a provider without streams', () => {
  it('falls back to readBlob and still labels', async () => {
    const p = new MemProvider()
    const raw = randomBytes(5000)
    const layer = makeCompressedLayer(p, raw, 'gzip')
    const labels: Record<string, Record<string, string>> = {}
    const store: DiffIDStore = {
      info: async (_ns, d) => ({ labels: { ...labels[d] } }),
      update: async (_ns, info, ...fieldpaths) => {
        expect(fieldpaths).toEqual([`labels.${UNCOMPRESSED}`])
        labels[info.digest] = { ...labels[info.digest], ...info.labels }
      },
      provider: () => p,
    }
    expect(await getDiffID(store, NS, layer.desc)).toBe(digestOf(raw))
    expect(labels[layer.desc.digest]).toEqual({ [UNCOMPRESSED]: digestOf(raw) })
  })
})
