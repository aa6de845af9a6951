// children() for every parent type, and the platform filters used for "pull one platform".
import { describe, expect, it } from 'vitest'
import { isKind } from '../../../../src-main/core/errors'
import {
  children,
  childrenHandler,
  filterPlatforms,
  limitManifests,
  walk,
  type Handler,
} from '../../../../src-main/core/images/handlers'
import {
  MediaTypeDockerConfig,
  MediaTypeDockerLayerGzip,
  MediaTypeDockerManifest,
  MediaTypeDockerManifestList,
  MediaTypeDockerSchema1Manifest,
  MediaTypeInToto,
  MediaTypeOCIIndex,
  MediaTypeOCIManifest,
  type Descriptor,
} from '../../../../src-main/core/oci'
import { all, newMatcher, only, ordered } from '../../../../src-main/core/platforms'
import {
  json,
  makeConfig,
  makeImage,
  makeIndex,
  makeLayer,
  makeManifest,
  MemProvider,
  plat,
} from './fixtures'

const digests = (ds: Descriptor[]): string[] => ds.map((d) => d.digest)

describe('children()', () => {
  it.each([MediaTypeOCIManifest, MediaTypeDockerManifest])(
    '%s: config then layers, subject excluded',
    async (mt) => {
      const p = new MemProvider()
      const config = makeConfig(p, {}, MediaTypeDockerConfig)
      const layers = [makeLayer(p), makeLayer(p, 10, MediaTypeDockerLayerGzip)]
      const subject = makeLayer(p)
      const m = makeManifest(p, config, layers, { mediaType: mt, body: { subject } })
      expect(digests(await children(p, m))).toEqual(digests([config, ...layers]))
    },
  )

  it.each([MediaTypeOCIIndex, MediaTypeDockerManifestList])(
    '%s: every entry, nested indexes included',
    async (mt) => {
      const p = new MemProvider()
      const a = makeImage(p, plat('linux', 'amd64')).manifest
      const b = makeImage(p, plat('linux', 'arm64')).manifest
      const nested = makeIndex(p, [b])
      const idx = makeIndex(p, [a, nested], { mediaType: mt })
      const kids = await children(p, idx)
      expect(digests(kids)).toEqual([a.digest, nested.digest])
      expect(kids[0].platform).toEqual(plat('linux', 'amd64'))
      expect(kids[1].mediaType).toBe(MediaTypeOCIIndex)
    },
  )

  it('decodes os.version and os.features into the platform', async () => {
    const p = new MemProvider()
    const w = makeImage(p, plat('windows', 'amd64')).manifest
    const entry = {
      ...w,
      platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1', osFeatures: ['win32k'] },
    }
    const idx = makeIndex(p, [entry])
    expect((await children(p, idx))[0].platform).toEqual(entry.platform)
  })

  it.each([
    'application/vnd.oci.image.config.v1+json',
    'application/vnd.oci.image.layer.v1.tar',
    MediaTypeInToto,
    'application/x-unknown',
  ])('%s has no children and is not read', async (mt) => {
    const p = new MemProvider()
    const blob = p.put('{"manifests":[{"digest":"sha256:00"}]}', mt)
    expect(await children(p, blob)).toEqual([])
    expect(p.reads).toEqual([])
  })

  it('a schema 1 manifest is NotImplemented, naming containerd v2.0', async () => {
    const p = new MemProvider()
    const s1 = p.put(json({ schemaVersion: 1, fsLayers: [] }), MediaTypeDockerSchema1Manifest)
    await expect(children(p, s1)).rejects.toSatisfy(
      (e) =>
        isKind(e, 'not-implemented') &&
        /no longer supported since containerd v2\.0/.test((e as Error).message),
    )
  })

  it('a missing blob is the provider NotFound', async () => {
    const p = new MemProvider()
    const m = makeImage(p, plat('linux', 'amd64')).manifest
    p.delete(m)
    await expect(children(p, m)).rejects.toSatisfy((e) => isKind(e, 'not-found'))
  })

  it('a body that contradicts its type fails, naming the digest', async () => {
    const p = new MemProvider()
    const idxBody = p.put(json({ manifests: [] }), MediaTypeOCIManifest)
    await expect(children(p, idxBody)).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && (e as Error).message.includes(idxBody.digest),
    )
  })

  it.each([
    ['layers not a list', { config: {}, layers: {} }],
    ['size not an integer', { config: { size: 1.5 } }],
    ['digest not a string', { config: { digest: 5 } }],
    ['platform not an object', { config: {}, layers: [{ platform: 'linux/amd64' }] }],
  ])('a malformed manifest (%s) is InvalidArgument', async (_, body) => {
    const p = new MemProvider()
    const m = p.put(json(body), MediaTypeOCIManifest)
    await expect(children(p, m)).rejects.toSatisfy((e) => isKind(e, 'invalid-argument'))
  })

  it('null fields read as absent, as Go decodes them', async () => {
    const p = new MemProvider()
    const m = p.put(json({ config: null, layers: null }), MediaTypeOCIManifest)
    expect(await children(p, m)).toEqual([{ mediaType: '', digest: '', size: 0 }])
  })

  it('an index naming itself is refused by the walk as a cycle', async () => {
    const p = new MemProvider()
    const self = 'sha256:' + 'ab'.repeat(32)
    p.putAt(self, json({ manifests: [{ mediaType: MediaTypeOCIIndex, digest: self, size: 10 }] }))
    await expect(
      walk(childrenHandler(p), { mediaType: MediaTypeOCIIndex, digest: self, size: 10 }),
    ).rejects.toSatisfy((e) => isKind(e, 'invalid-argument') && (e as Error).message.includes(self))
  })
})

describe('filterPlatforms / limitManifests', () => {
  const setup = () => {
    const p = new MemProvider()
    const amd = makeImage(p, plat('linux', 'amd64')).manifest
    const arm = makeImage(p, plat('linux', 'arm', 'v7')).manifest
    const arm64 = makeImage(p, plat('linux', 'arm64')).manifest
    const none = makeImage(p, plat('linux', 's390x'), { withPlatform: false }).manifest
    const s390 = makeImage(p, plat('linux', 's390x')).manifest
    return { p, amd, arm, arm64, none, s390 }
  }

  it('filterPlatforms keeps platform-less and matching entries; no matcher keeps all', async () => {
    const { p, amd, arm, none, s390 } = setup()
    const idx = makeIndex(p, [none, amd, arm, s390])
    const h = childrenHandler(p)
    expect(digests(await filterPlatforms(h, newMatcher(plat('linux', 'amd64')))(idx))).toEqual([
      none.digest,
      amd.digest,
    ])
    expect(digests(await filterPlatforms(h)(idx))).toEqual(digests([none, amd, arm, s390]))
  })

  it('limitManifests sorts best-first with platform-less entries last, then cuts to n', async () => {
    const { p, amd, arm, arm64, none } = setup()
    const idx = makeIndex(p, [none, amd, arm, arm64])
    const pref = ordered(plat('linux', 'arm64'), plat('linux', 'arm', 'v7'), plat('linux', 'amd64'))
    const h = filterPlatforms(childrenHandler(p), pref)
    expect(digests(await limitManifests(h, pref, 0)(idx))).toEqual(digests([arm64, arm, amd, none]))
    expect(digests(await limitManifests(h, pref, 2)(idx))).toEqual(digests([arm64, arm]))
    expect(digests(await limitManifests(h, pref, 1)(idx))).toEqual([arm64.digest])
  })

  it('all keeps index order (platform-less still last)', async () => {
    const { p, amd, arm, none } = setup()
    const idx = makeIndex(p, [none, arm, amd])
    expect(digests(await limitManifests(childrenHandler(p), all, 0)(idx))).toEqual(digests([arm, amd, none]))
  })

  it('an empty result with n > 0 is NotFound; with n = 0 it is fine', async () => {
    const { p, amd } = setup()
    const idx = makeIndex(p, [amd])
    const m = only(plat('linux', 's390x'))
    const h = filterPlatforms(childrenHandler(p), m)
    await expect(limitManifests(h, m, 1)(idx)).rejects.toSatisfy(
      (e) => isKind(e, 'not-found') && /no match for platform in manifest/.test((e as Error).message),
    )
    expect(await limitManifests(h, m, 0)(idx)).toEqual([])
  })

  it('acts only on index parents', async () => {
    const { p } = setup()
    const img = makeImage(p, plat('linux', 'amd64'))
    const none: Handler = async () => []
    const m = only(plat('linux', 's390x'))
    expect(await limitManifests(none, m, 1)(img.manifest)).toEqual([])
    expect(digests(await limitManifests(childrenHandler(p), m, 1)(img.manifest))).toEqual(
      digests([img.config, ...img.layers]),
    )
  })

  it('together they walk one platform', async () => {
    const { p, amd, arm, arm64 } = setup()
    const idx = makeIndex(p, [amd, arm, arm64])
    const m = only(plat('linux', 'arm', 'v7'))
    const seen: string[] = []
    const lim = limitManifests(filterPlatforms(childrenHandler(p), m), m, 1)
    await walk(async (d) => (seen.push(d.digest), lim(d)), idx)
    expect(seen.slice(0, 2)).toEqual([idx.digest, arm.digest])
    expect(seen).toHaveLength(4)
  })
})
