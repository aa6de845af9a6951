// Content already in the store that lies or explodes, met by the app's own calls: a descriptor claiming a
// few bytes for a large blob, an image whose shared entries make N² tree nodes, a layer that is a
// decompression bomb, and a details view that goes away while layer sizes are computed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DescriptorNode } from '../../src-preload/api'
import type { Provider } from '../../src-main/core/content/provider'
import { writeBlob } from '../../src-main/core/content/store'
import { configPlatform } from '../../src-main/core/images/image'
import type { Descriptor } from '../../src-main/core/oci'
import { MediaTypeOCIConfig, MediaTypeOCILayerGzip } from '../../src-main/core/oci'
import { openBerth, type Berth } from '../../src-main/service/berth'
import type { ServiceContext } from '../../src-main/service/context'
import { imageDetails } from '../../src-main/service/image-details'
import { createHandlers, type Handlers } from '../../src-main/service/index'
import { createDispatch } from '../../src-main/host/dispatch'
import { MAX_TREE_NODES, nodes } from '../../src-main/service/tree'
import {
  blobOf,
  configBlob,
  indexBlob,
  layer,
  manifestBlob,
  platformOf,
  randomBytes,
  sha256,
  type Blob,
} from '../fixtures/images'

const NS = 'default'
let dir: string
let berth: Berth
let h: Handlers
/** Bytes streamed out of blob files, and streams opened, by digest, through the instrumented context. */
const streamed = new Map<string, number>()
const opened = new Map<string, number>()
let ctx: ServiceContext

/** The real store's provider with its reads counted: how much of a blob a call actually read. */
function counting(p: Provider): Provider {
  return {
    readBlob: async (d) => {
      const b = await p.readBlob(d)
      streamed.set(d.digest, (streamed.get(d.digest) ?? 0) + b.length)
      return b
    },
    has: (d) => p.has(d),
    readStream: async (d) => {
      opened.set(d.digest, (opened.get(d.digest) ?? 0) + 1)
      const s = await p.readStream!(d)
      s.on('data', (c: Buffer) => streamed.set(d.digest, (streamed.get(d.digest) ?? 0) + c.length))
      return s
    },
  }
}

async function put(...blobs: Blob[]): Promise<void> {
  for (const b of blobs) await writeBlob(berth.content, NS, `ref-${b.desc.digest}`, b.data, b.desc)
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-hostile-content-'))
  berth = openBerth({ root: dir, host: { os: 'linux', architecture: 'amd64' } })
  ctx = {
    ...berth,
    content: {
      provider: (ns) => counting(berth.content.provider(ns)),
      update: (...a) => berth.content.update(...a),
    },
  }
  h = createHandlers(ctx, { emit: () => {}, appInfo: () => ({}) as never })
})

afterAll(() => {
  berth.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a descriptor whose size lies about a blob already in the store', () => {
  const big = blobOf('application/octet-stream', randomBytes('big', 40 << 20))
  const lying = (size: number): Descriptor => ({
    mediaType: MediaTypeOCIConfig,
    digest: big.desc.digest,
    size,
  })

  beforeAll(async () => {
    await put(big)
    const l = layer('liar', 1024)
    const m = manifestBlob(lying(200), [l.desc])
    await put(l, m)
    berth.images.create(NS, { name: 'liar:1', labels: {}, target: m.desc })
  })

  it('is read no further than one chunk past its size, and refused as a mismatch', async () => {
    streamed.clear()
    await expect(configPlatform(ctx.content.provider(NS), lying(200))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/its descriptor says 200 bytes, but the stored blob has more than 200/),
    })
    expect(streamed.get(big.desc.digest)).toBeLessThanOrEqual(1 << 20)
  })

  it('over the document limit, is refused before anything is read', async () => {
    streamed.clear()
    await expect(configPlatform(ctx.content.provider(NS), lying(30 << 20))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(
        /is 31457280 bytes, over the 20971520-byte limit for a document: not read/,
      ),
    })
    expect(streamed.get(big.desc.digest) ?? 0).toBe(0)
  })

  it('leaves the image listed and detailed without reading the blob', async () => {
    streamed.clear()
    const s = (await h['images.list']({ namespace: NS, query: 'liar' })).items[0]
    expect(s.name).toBe('liar:1')
    const d = await h['images.details']({ namespace: NS, name: 'liar:1' })
    expect(d.config).toBeNull()
    // A chunk for each of the few reads (summary tree, details tree, config): never the 40 MiB blob.
    expect(streamed.get(big.desc.digest) ?? 0).toBeLessThanOrEqual(4 << 20)
  })
})

describe('shared entries (N = 4,500)', () => {
  const N = 4500
  let index: Blob

  beforeAll(async () => {
    const l = layer('shared-n', 64, { compression: 'none' })
    const cfg = configBlob(
      platformOf('linux/amd64'),
      Array.from({ length: N }, () => l.diffId),
    )
    const m = manifestBlob(
      cfg.desc,
      Array.from({ length: N }, () => l.desc),
    )
    index = indexBlob(Array.from({ length: N }, () => m.desc))
    // A few hundred kilobytes of JSON, twenty million nodes if expanded as a tree.
    expect(m.data.length + index.data.length).toBeLessThan(2 << 20)
    await put(l, cfg, m, index)
    berth.images.create(NS, { name: 'shared:1', labels: {}, target: index.desc })
  })

  it('lists and details the image with a tree cut at the node cap and marked too complex', async () => {
    const s = (await h['images.list']({ namespace: NS, query: 'shared:1' })).items[0]
    expect(s).toMatchObject({ name: 'shared:1', kind: 'index', status: 'present' })
    const d = await h['images.details']({ namespace: NS, name: 'shared:1' })
    const all = [...nodes(d.tree)]
    expect(all.length).toBeLessThanOrEqual(MAX_TREE_NODES)
    expect(d.tree.tooComplex).toBe(true)
    expect(all.filter((n: DescriptorNode) => n.tooComplex).length).toBeGreaterThanOrEqual(2)
    expect(d.matrix.cells.length).toBeGreaterThan(0)
  })
})

describe('layer sizes', () => {
  // 512 MiB of zeros as eight gzip members, about half a megabyte: past the diff-ID path's bound.
  const zeros = gzipSync(Buffer.alloc(64 << 20), { level: 9 })
  const bomb = blobOf(MediaTypeOCILayerGzip, Buffer.concat(Array.from({ length: 8 }, () => zeros)))
  const slow = blobOf(MediaTypeOCILayerGzip, gzipSync(randomBytes('slow', 48 << 20), { level: 1 }))

  const image = async (name: string, l: Blob) => {
    const cfg = configBlob(platformOf('linux/amd64'), [sha256('unknown')])
    const m = manifestBlob(cfg.desc, [l.desc])
    await put(l, cfg, m)
    berth.images.create(NS, { name, labels: {}, target: m.desc })
  }
  const cached = (d: string) =>
    berth.db.prepare('SELECT uncompressed_size FROM layer_sizes WHERE digest = ?').pluck().get(d)

  beforeAll(async () => {
    await image('bomb:1', bomb)
    await image('slow:1', slow)
  })

  it('a layer past the bound is cached as too large and never decompressed again', async () => {
    opened.clear()
    const d = await h['images.details']({ namespace: NS, name: 'bomb:1' })
    const node = [...nodes(d.tree)].find((n) => n.digest === bomb.desc.digest)!
    expect(node.uncompressedSize).toBeUndefined()
    expect(cached(bomb.desc.digest)).toBe(-1)
    expect(opened.get(bomb.desc.digest)).toBe(1)
    await h['images.details']({ namespace: NS, name: 'bomb:1' })
    expect(opened.get(bomb.desc.digest)).toBe(1)
  })

  it('a layer whose stream does not decompress is tried once, not on every details view', async () => {
    const gz = gzipSync(randomBytes('corrupt', 4 << 20), { level: 1 })
    for (let i = gz.length >> 1; i < (gz.length >> 1) + 64; i++) gz[i] ^= 0xff
    const corrupt = blobOf(MediaTypeOCILayerGzip, gz)
    await image('corrupt:1', corrupt)
    opened.clear()
    const d = await h['images.details']({ namespace: NS, name: 'corrupt:1' })
    const node = [...nodes(d.tree)].find((n) => n.digest === corrupt.desc.digest)!
    expect(node.uncompressedSize).toBeUndefined()
    // Once to decompress, once to check that the bytes are the blob's own (not a damaged copy).
    const reads = opened.get(corrupt.desc.digest)
    expect(reads).toBeLessThanOrEqual(2)
    await h['images.details']({ namespace: NS, name: 'corrupt:1' })
    expect(opened.get(corrupt.desc.digest)).toBe(reads)
  })

  it('a layer damaged on disk is not cached as undecodable: it is tried again', async () => {
    const good = blobOf(MediaTypeOCILayerGzip, gzipSync(randomBytes('damaged', 4 << 20), { level: 1 }))
    await image('damaged:1', good)
    const file = join(berth.storeRoot, 'blobs', 'sha256', good.desc.digest.slice(7))
    const bytes = readFileSync(file)
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64; i++) bytes[i] ^= 0xff
    writeFileSync(file, bytes)
    opened.clear()
    await h['images.details']({ namespace: NS, name: 'damaged:1' })
    const reads = opened.get(good.desc.digest) ?? 0
    expect(reads).toBeGreaterThan(0)
    await h['images.details']({ namespace: NS, name: 'damaged:1' })
    expect(opened.get(good.desc.digest)).toBeGreaterThan(reads)
    expect(cached(good.desc.digest)).toBeUndefined()
  })

  it('stops when the view that asked goes away, caching nothing', async () => {
    const ac = new AbortController()
    const p = imageDetails(
      {
        ...ctx,
        content: {
          ...ctx.content,
          provider: (ns) => abortOnOpen(ctx.content.provider(ns), slow.desc.digest, ac),
        },
      },
      NS,
      'slow:1',
      { signal: ac.signal },
    )
    await expect(p).rejects.toMatchObject({
      kind: 'cancelled',
      message: expect.stringMatching(/cancelled/),
    })
    expect(cached(slow.desc.digest)).toBeUndefined()
  })
})

describe('a details call the renderer ends (calls.cancel with its ticket), through the host dispatch', () => {
  const slow = blobOf(MediaTypeOCILayerGzip, gzipSync(randomBytes('slow-ticket', 48 << 20), { level: 1 }))
  const cachedSize = (d: string) =>
    berth.db.prepare('SELECT uncompressed_size FROM layer_sizes WHERE digest = ?').pluck().get(d)

  beforeAll(async () => {
    const cfg = configBlob(platformOf('linux/amd64'), [sha256('unknown')])
    const m = manifestBlob(cfg.desc, [slow.desc])
    await put(slow, cfg, m)
    berth.images.create(NS, { name: 'slow-ticket:1', labels: {}, target: m.desc })
  })

  /** The host's dispatch over handlers whose store calls `onOpen` when the slow layer starts streaming. */
  function dispatchWith(onOpen: () => void) {
    const provider = (ns: string): Provider => {
      const p = ctx.content.provider(ns)
      return {
        ...p,
        readStream: async (d) => {
          const s = await p.readStream!(d)
          if (d.digest === slow.desc.digest) s.once('data', onOpen)
          return s
        },
      }
    }
    const handlers = createHandlers(
      { ...ctx, content: { ...ctx.content, provider } },
      { emit: () => {}, appInfo: () => ({}) as never },
    )
    return createDispatch(handlers)
  }

  it('stops the layer-size work mid-layer, answers cancelled, and caches nothing', async () => {
    let cancel: Promise<unknown> | undefined
    const dispatch = dispatchWith(() => {
      cancel ??= dispatch('calls.cancel', [{ ticket: 'view-1' }])
    })
    const answer = await dispatch('images.details', [
      { namespace: NS, name: 'slow-ticket:1', ticket: 'view-1' },
    ])
    expect(answer).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
    expect(await cancel).toEqual({ ok: true, value: { cancelled: true } })
    expect(cachedSize(slow.desc.digest)).toBeUndefined()
  })

  it('a cancel that arrives before its call ends that call before any layer is read', async () => {
    let reads = 0
    const dispatch = dispatchWith(() => reads++)
    expect(await dispatch('calls.cancel', [{ ticket: 'view-2' }])).toEqual({
      ok: true,
      value: { cancelled: false },
    })
    const answer = await dispatch('images.details', [
      { namespace: NS, name: 'slow-ticket:1', ticket: 'view-2' },
    ])
    expect(answer).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
    expect(reads).toBe(0)
  })

  it('a call without a ticket, or whose ticket nobody cancels, answers in full', async () => {
    const dispatch = dispatchWith(() => {})
    const answer = await dispatch('images.details', [
      { namespace: NS, name: 'slow-ticket:1', ticket: 'view-3' },
    ])
    expect(answer).toMatchObject({ ok: true })
    expect(cachedSize(slow.desc.digest)).toBe(48 << 20)
  })
})

/** Aborts `ac` once the blob `digest` starts streaming: the user closing the view mid-way. */
function abortOnOpen(p: Provider, digest: string, ac: AbortController): Provider {
  return {
    ...p,
    readStream: async (d) => {
      const s = await p.readStream!(d)
      if (d.digest === digest) s.once('data', () => ac.abort())
      return s
    },
  }
}
