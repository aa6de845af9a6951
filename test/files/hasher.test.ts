// The worker thread that hashes big layers gives the digest hashing inline gives, holds back when it falls
// behind, and a big layer that lies about its diff ID is still caught.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src-main/core/db'
import { inlineHasher, workerHasher, WORKER_MIN_BYTES } from '../../src-main/core/files/hasher'
import { indexLayer } from '../../src-main/core/files/layer-index'
import { blobOf, compress, randomBytes, sha256 } from '../fixtures/blobs'
import { layerTarOf } from '../fixtures/layers'
import { memoryProvider } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'berth-hasher-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('hashing a layer', () => {
  it('in a worker gives the same digest as inline, through back-pressure', async () => {
    const data = randomBytes('hasher', 12 << 20)
    const w = workerHasher()
    const i = inlineHasher()
    try {
      for (let off = 0; off < data.length; off += 256 << 10) {
        const c = data.subarray(off, off + (256 << 10))
        await w.update(c)
        await i.update(c)
      }
      const want = createHash('sha256').update(data).digest('hex')
      expect(await w.digest()).toBe(want)
      expect(await i.digest()).toBe(want)
    } finally {
      w.close()
    }
  })

  it('catches a big layer whose config names another diff ID', async () => {
    const tar = layerTarOf([
      { path: 'big.bin', data: randomBytes('hasher-big', WORKER_MIN_BYTES + (1 << 20)) },
    ])
    const b = blobOf('application/vnd.oci.image.layer.v1.tar+gzip', compress(tar, 'gzip'))
    expect(b.desc.size).toBeGreaterThanOrEqual(WORKER_MIN_BYTES)
    const db = openDatabase(join(dir, 'berth.db'))
    try {
      const p = memoryProvider(new Map([[b.desc.digest, b.data]]))
      await expect(indexLayer(db, p, b.desc, sha256('not this layer'))).rejects.toThrow(
        new RegExp(`hashes to ${sha256(tar)}`),
      )
      await expect(indexLayer(db, p, b.desc, sha256(tar))).resolves.toMatchObject({ entries: 1 })
    } finally {
      db.close()
    }
  })
})
