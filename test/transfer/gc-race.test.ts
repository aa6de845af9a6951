// A garbage collection running while an import is under way (the app's Delete, or `berth gc` in
// another process) must not take blobs the import relies on. Blobs the archive brings that the
// namespace already had are attached to the import's lease, as containerd's writer-open attaches
// existing content to the caller's lease.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { gc } from '../../src-main/core/gc'
import { check } from '../../src-main/core/images/image'
import { importArchive } from '../../src-main/core/transfer/import'
import { multiPlatformImage, ociArchive, singlePlatformImage } from '../fixtures/images'
import { tempStore, type TestStore } from './helpers'

const NS = 'default'
let t: TestStore
beforeEach(() => {
  t = tempStore()
})
afterEach(() => t.close())

/** An import whose progress callback runs a full GC at the given phase, as a concurrent GC would. */
async function importRacingGc(file: string, phase: string, platform?: string) {
  let collected = 0
  const result = await importArchive(t, NS, file, {
    platform,
    allPlatforms: platform === undefined,
    onProgress: (p) => {
      if (p.current !== phase || collected > 0) return
      collected = gc(t.db, { root: t.root }).blobsDeleted + 1
    },
  })
  expect(collected, `GC ran during the ${phase} phase`).toBeGreaterThan(0)
  return result
}

it('blobs the namespace already had (its image deleted, not yet collected) survive a GC during the re-import', async () => {
  const fx = multiPlatformImage({ name: 'demo' })
  const file = t.file('a.tar', ociArchive([{ fixture: fx, name: 'docker.io/library/demo:1' }]))
  await importArchive(t, NS, file, { allPlatforms: true })
  // Deleted without a synchronous GC: the blobs stay, unreferenced, until the next collection.
  t.images.delete(NS, 'docker.io/library/demo:1')

  const r = await importRacingGc(file, 'resolving')
  expect(r.images.map((i) => i.name)).toEqual(['docker.io/library/demo:1'])
  const provider = t.content.provider(NS)
  const all = await check(provider, r.images[0].target)
  expect(all.missing).toEqual([])
  // And once the import's lease is gone, the image (a GC root now) keeps every blob.
  gc(t.db, { root: t.root })
  expect((await check(provider, r.images[0].target)).missing).toEqual([])
})

it('a layer the archive leaves out, found in the namespace instead, is held while the import runs', async () => {
  const base = singlePlatformImage({ seed: 'base' })
  const name = 'docker.io/library/base:1'
  await importArchive(t, NS, t.file('full.tar', ociArchive([{ fixture: base, name }])), {
    allPlatforms: true,
  })
  t.images.delete(NS, name)
  const layer = base.images[0].layers[0].desc.digest
  const thin = t.file('thin.tar', ociArchive([{ fixture: base, name }], { omit: [layer] }))
  const r = await importRacingGc(thin, 'resolving')
  expect((await check(t.content.provider(NS), r.images[0].target)).missing).toEqual([])
  expect(t.db.prepare('SELECT count(*) FROM leases').pluck().get()).toBe(0)
})
