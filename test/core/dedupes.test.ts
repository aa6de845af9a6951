// One of each: detectCompression, Semaphore, the RFC 3339 helpers, and the app's media-type predicates,
// which are the core's. Each case here is one where two copies disagreed.
import { zstdCompressSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { detectCompression as coreDetect } from '../../src-main/core/compression'
import { detectCompression as diffIdDetect } from '../../src-main/core/images/diffid'
import { detectCompression as archiveDetect } from '../../src-main/core/transfer/archive'
import { gc } from '../../src-main/core/gc'
import { createLease, listLeases } from '../../src-main/core/leases'
import { LABEL_GC_EXPIRE } from '../../src-main/core/labels'
import { isKnownConfig, isLayerType } from '../../src-main/core/images/mediatypes'
import { readIngest } from '../../src-main/core/content/ingest'
import * as oci from '../../src-main/core/oci'
import { formatRFC3339, parseRFC3339 } from '../../src-main/core/rfc3339'
import { Semaphore } from '../../src-main/core/semaphore'
import { importArchive } from '../../src-main/core/transfer/import'
import { kindOf } from '../../src-main/service/mediatypes'
import { ociArchive, singlePlatformImage } from '../fixtures/images'
import { tempStore, type TestStore } from '../transfer/helpers'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

describe('detectCompression', () => {
  it('is one function: the archive reader, the import and the diff IDs use the same', () => {
    expect(archiveDetect).toBe(coreDetect)
    expect(diffIdDetect).toBe(coreDetect)
  })

  it('a .tar.zst that opens with a zstd skippable frame imports (the archive reader missed those)', async () => {
    const t: TestStore = tempStore()
    try {
      const fx = singlePlatformImage({ seed: 'skip' })
      const tar = ociArchive([{ fixture: fx, name: 'docker.io/library/skip:1' }])
      const skippable = Buffer.concat([
        Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0]),
        Buffer.from('meta'),
      ])
      const file = t.file('skip.tar.zst', Buffer.concat([skippable, zstdCompressSync(tar)]))
      const r = await importArchive(t, 'default', file, { allPlatforms: true })
      expect(r.compression).toBe('zstd')
      expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/skip:1'])
    } finally {
      t.close()
    }
  })
})

describe('Semaphore', () => {
  it('hands permits out in order, never more than its size, and releases when a run throws', async () => {
    const sem = new Semaphore(2)
    let running = 0
    let peak = 0
    const order: number[] = []
    const task = (i: number) =>
      sem.run(async () => {
        running++
        peak = Math.max(peak, running)
        order.push(i)
        await new Promise((r) => setTimeout(r, 5))
        running--
        if (i === 3) throw new Error('task 3 fails')
      })
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(task))
    expect(peak).toBe(2)
    expect(order).toEqual([1, 2, 3, 4, 5, 6])
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    await sem.run(async () => undefined) // the failed run gave its permit back
  })

  it("a wait ends with the signal's reason when it aborts; the permit goes to the next waiter", async () => {
    const sem = new Semaphore(1)
    await sem.acquire()
    const ac = new AbortController()
    const aborted = sem.acquire(ac.signal)
    const next = sem.acquire()
    ac.abort(new Error('cancelled'))
    await expect(aborted).rejects.toThrow('cancelled')
    sem.release()
    await next
    expect(() => new Semaphore(0)).toThrow(RangeError)
  })
})

describe('RFC 3339', () => {
  it('parses as Go does: any number of fraction digits (nanoseconds and beyond are truncated)', () => {
    expect(parseRFC3339('2026-06-01T12:00:00.1234567891Z')).toBe(Date.UTC(2026, 5, 1, 12, 0, 0, 123))
    expect(parseRFC3339('2026-06-01T14:00:00.5+02:00')).toBe(Date.UTC(2026, 5, 1, 12, 0, 0, 500))
    expect(parseRFC3339('2023-02-29T00:00:00Z')).toBeUndefined()
    expect(formatRFC3339(new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 999)))).toBe('2026-06-01T12:00:00Z')
  })

  let t: TestStore
  beforeEach(() => {
    t = tempStore()
  })
  afterEach(() => t.close())

  it('a lease whose gc.expire has ten fraction digits expires (GC ignored it as unparseable)', () => {
    createLease(t.db, 'default', {
      id: 'old',
      labels: { [LABEL_GC_EXPIRE]: '2020-01-01T00:00:00.0000000001Z' },
    })
    gc(t.db, { root: t.root })
    expect(listLeases(t.db, 'default')).toEqual([])
  })

  it("an ingest's times are read with the same parser (an offset, a long fraction)", () => {
    const dir = join(t.dir, 'ingest')
    mkdirSync(dir)
    writeFileSync(join(dir, 'data'), 'abc')
    writeFileSync(join(dir, 'ref'), 'default/1/r')
    writeFileSync(join(dir, 'startedat'), '2026-06-01T14:00:00.5+02:00')
    writeFileSync(join(dir, 'updatedat'), '2026-06-01T12:00:01.1234567891Z')
    expect(readIngest(dir)).toMatchObject({
      startedAt: new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 500)),
      updatedAt: new Date(Date.UTC(2026, 5, 1, 12, 0, 1, 123)),
      size: 3,
    })
  })
})

describe("the app's media-type words are the core's predicates", () => {
  const types = [
    oci.MediaTypeOCIConfig,
    oci.MediaTypeDockerConfig,
    oci.MediaTypeContainerdCheckpoint,
    oci.MediaTypeContainerdCheckpointConfig,
    oci.MediaTypeOCILayerGzip,
    oci.MediaTypeDockerLayerForeignGzip,
    'application/vnd.docker.image.rootfs.diff.tar.gzip+encrypted',
    'application/vnd.docker.image.rootfs.not-a-layer',
    oci.MediaTypeErofsLayer,
    oci.MediaTypeInToto,
  ]
  it.each(types)('%s', (mediaType) => {
    const kind = kindOf({ mediaType, digest: 'sha256:x', size: 1 })
    const want = isKnownConfig(mediaType) ? 'config' : isLayerType(mediaType) ? 'layer' : 'other'
    expect(kind).toBe(want)
  })
})
