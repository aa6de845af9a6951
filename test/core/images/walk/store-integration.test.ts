// The walker over the real content store's Provider: what an import/pull does (label every parent with
// dispatch) and what the image list asks (check, size, platforms) after blobs are deleted.
import { afterEach, describe, expect, it } from 'vitest'
import { check, platforms, size } from '../../../../src-main/core/images/image'
import { childrenHandler, dispatch, setChildrenLabels } from '../../../../src-main/core/images/handlers'
import { only } from '../../../../src-main/core/platforms'
import { makeImage, makeIndex, MemProvider, plat } from './fixtures'
import { load, realStore, type RealStore } from './store'

const NS = 'default'

describe('walker over the real content store', () => {
  let rs: RealStore | undefined
  afterEach(() => {
    rs?.cleanup()
    rs = undefined
  })

  it('dispatch labels every parent concurrently, and check/size/platforms read through the store', async () => {
    const p = new MemProvider()
    const images = [
      plat('linux', 'amd64'),
      plat('linux', 'arm64'),
      plat('linux', 'arm', 'v7'),
      plat('linux', 's390x'),
    ].map((pl) => makeImage(p, pl, { layerSize: 1000 }))
    const idx = makeIndex(
      p,
      images.map((i) => i.manifest),
    )
    rs = realStore()
    const { cs } = rs
    await load(cs, NS, p)
    const provider = cs.provider(NS)

    await dispatch(setChildrenLabels(cs, NS, childrenHandler(provider)), 2, idx)
    const idxLabels = (await cs.info(NS, idx.digest)).labels
    expect(Object.keys(idxLabels).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `containerd.io/gc.ref.content.m.${i}`),
    )
    for (const img of images) {
      expect((await cs.info(NS, img.manifest.digest)).labels).toEqual({
        'containerd.io/gc.ref.content.config': img.config.digest,
        'containerd.io/gc.ref.content.l.0': img.layers[0].digest,
      })
    }

    expect(await platforms(provider, idx)).toEqual(images.map((i) => i.manifest.platform))
    const arm = images[1]
    const armSize = idx.size + arm.manifest.size + arm.config.size + 1000
    expect(await size(provider, idx, only(plat('linux', 'arm64')))).toBe(armSize)

    await cs.delete(NS, arm.layers[0].digest)
    const r = await check(provider, idx, only(plat('linux', 'arm64')))
    expect(r.available).toBe(true)
    expect(r.missing.map((d) => d.digest)).toEqual([arm.layers[0].digest])
    // Size is computed from descriptors, so it does not need the layer itself.
    expect(await size(provider, idx, only(plat('linux', 'arm64')))).toBe(armSize)

    await cs.delete(NS, arm.manifest.digest)
    expect(await check(provider, idx, only(plat('linux', 'arm64')))).toEqual({
      available: false,
      required: [idx],
      present: [],
      missing: [idx],
    })
  })
})
