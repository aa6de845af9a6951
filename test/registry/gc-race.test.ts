// A GC while a pull runs must not take blobs the pull found already present: a pull of an image whose
// record was deleted (its blobs not yet collected) attaches them to its lease, as containerd's
// writer-open does, instead of only checking they are there.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { gc } from '../../src-main/core/gc'
import { check } from '../../src-main/core/images/image'
import { pull } from '../../src-main/core/transfer/registry/pull'
import { multiPlatformImage, platformOf, type ImageFixture } from '../fixtures/images'
import { hasRegistry, startRegistry, type RunningRegistry } from './support/registry'
import { openStores, seedRegistry, type Stores } from './support/stores'

const present = hasRegistry()
if (!present) console.log('skipping the pull/GC race: docker-registry is not installed')
let reg: RunningRegistry
let fx: ImageFixture
let s: Stores

beforeAll(async () => {
  if (!present) return
  reg = await startRegistry()
  fx = multiPlatformImage({ name: 'race', platforms: ['linux/amd64', 'linux/arm64'] })
  await seedRegistry(reg.url, 'test/race', 'v1', fx)
  s = openStores()
})
afterAll(async () => {
  s?.close()
  await reg?.stop()
})

it.skipIf(!present)(
  'blobs present from an earlier pull survive a GC that runs while they are found present',
  async () => {
    const ref = `${reg.host}/test/race:v1`
    const o = { cs: s.cs, images: s.images, db: s.db, ns: s.ns, ref, platforms: 'all' as const }
    const first = await pull(o)
    // Deleted without a synchronous GC: the blobs stay, unreferenced, until the next collection.
    s.images.delete(s.ns, first.image.name)

    let collected = false
    const again = await pull({
      ...o,
      host: platformOf('linux/amd64'),
      concurrency: 1,
      onProgress: (p) => {
        if (p.state !== 'exists' || collected) return
        collected = true
        gc(s.db, { root: s.cs.root })
      },
    })
    expect(collected).toBe(true)
    expect(again.fetchedBytes).toBe(0)
    expect((await check(s.cs.provider(s.ns), again.image.target)).missing).toEqual([])
  },
)
