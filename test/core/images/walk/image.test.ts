// manifest/config/rootFS, platforms, check and size: containerd-semantics.md §e.4–§e.7.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../../../src-main/core/errors'
import { check, config, manifest, platforms, rootFS, size } from '../../../../src-main/core/images/image'
import {
  MediaTypeDockerConfig,
  MediaTypeDockerManifest,
  MediaTypeDockerManifestList,
  MediaTypeDockerSchema1Manifest,
  MediaTypeInToto,
  MediaTypeOCIManifest,
  type Descriptor,
} from '../../../../src-main/core/oci'
import { all, any, only, ordered } from '../../../../src-main/core/platforms'
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

const LINUX_AMD64 = plat('linux', 'amd64')
const LINUX_ARM64 = plat('linux', 'arm64')
const LINUX_ARMV7 = plat('linux', 'arm', 'v7')
const LINUX_S390X = plat('linux', 's390x')

const notFoundWith = (re: RegExp) => (e: unknown) => isKind(e, 'not-found') && re.test((e as Error).message)

/** A manifest descriptor without a platform whose config says `configPlatform`. */
function platformless(p: MemProvider, configPlatform: ReturnType<typeof plat>) {
  return makeImage(p, configPlatform, { withPlatform: false })
}

/** An in-toto attestation manifest as buildkit attaches it: platform unknown/unknown. */
function attestation(p: MemProvider, subject: Descriptor): Descriptor {
  const statement = p.put(json({ _type: 'https://in-toto.io/Statement/v0.1' }), MediaTypeInToto)
  const m = makeManifest(p, makeConfig(p, { os: 'unknown', architecture: 'unknown' }), [statement])
  return {
    ...m,
    platform: plat('unknown', 'unknown'),
    annotations: {
      'vnd.docker.reference.type': 'attestation-manifest',
      'vnd.docker.reference.digest': subject.digest,
    },
  }
}

describe('manifest()', () => {
  it('a root manifest is accepted regardless of platform', async () => {
    const p = new MemProvider()
    const img = makeImage(p, LINUX_AMD64)
    for (const m of [undefined, only(LINUX_S390X), only(LINUX_AMD64)]) {
      expect((await manifest(p, img.manifest, m)).config.digest).toBe(img.config.digest)
    }
    // Even when the target descriptor itself carries a foreign platform.
    expect(
      (await manifest(p, { ...img.manifest, platform: LINUX_ARM64 }, only(LINUX_S390X))).layers,
    ).toHaveLength(1)
  })

  it('without a matcher the first manifest in depth-first document order wins', async () => {
    const p = new MemProvider()
    const x = makeImage(p, LINUX_ARM64)
    const y = makeImage(p, LINUX_AMD64)
    const z = makeImage(p, LINUX_AMD64)
    const nested = makeIndex(p, [x.manifest, y.manifest])
    const idx = makeIndex(p, [nested, z.manifest])
    expect((await manifest(p, idx)).config.digest).toBe(x.config.digest)
  })

  it('picks the best platform in an index', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const arm = makeImage(p, LINUX_ARM64)
    const idx = makeIndex(p, [amd.manifest, arm.manifest])
    expect((await manifest(p, idx, only(LINUX_ARM64))).config.digest).toBe(arm.config.digest)
    expect((await config(p, idx, only(LINUX_AMD64))).digest).toBe(amd.config.digest)
  })

  it('platform-less manifests in an index are matched by their config', async () => {
    const p = new MemProvider()
    const amd = platformless(p, LINUX_AMD64)
    const arm = platformless(p, plat('linux', 'arm64', 'v8')) // normalized to arm64 before matching
    expect((await manifest(p, makeIndex(p, [arm.manifest]), only(LINUX_ARM64))).config.digest).toBe(
      arm.config.digest,
    )
    await expect(manifest(p, makeIndex(p, [amd.manifest]), only(LINUX_ARM64))).rejects.toSatisfy(
      notFoundWith(/no match for platform in manifest sha256:/),
    )
  })

  it('no backtracking: only the first platform-less candidate is tried', async () => {
    // Both entries are platform-less, so they keep document order; the first's config (amd64) fails
    // Only(linux/s390x) and the second (whose config is linux/s390x) is never looked at.
    const p = new MemProvider()
    const first = platformless(p, LINUX_AMD64)
    const second = platformless(p, LINUX_S390X)
    const idx = makeIndex(p, [first.manifest, second.manifest])
    await expect(manifest(p, idx, only(LINUX_S390X))).rejects.toSatisfy(
      notFoundWith(new RegExp(`no match for platform in manifest ${idx.digest}`)),
    )
    // The same second entry with a descriptor platform sorts first and is found.
    const idx2 = makeIndex(p, [first.manifest, { ...second.manifest, platform: LINUX_S390X }])
    expect((await manifest(p, idx2, only(LINUX_S390X))).config.digest).toBe(second.config.digest)
  })

  it('no backtracking: a matching entry that is an index without a match ends the search', async () => {
    const p = new MemProvider()
    const inner = makeIndex(p, [makeImage(p, LINUX_AMD64).manifest])
    const s390 = platformless(p, LINUX_S390X)
    const idx = makeIndex(p, [{ ...inner, platform: LINUX_S390X }, s390.manifest])
    await expect(manifest(p, idx, only(LINUX_S390X))).rejects.toSatisfy(notFoundWith(/no match for platform/))
  })

  it('All prefers platform-bearing entries over a platform-less nested index', async () => {
    const p = new MemProvider()
    const a = makeImage(p, LINUX_AMD64)
    const b = makeImage(p, LINUX_ARM64)
    const nested = makeIndex(p, [a.manifest])
    const idx = makeIndex(p, [nested, b.manifest])
    expect((await manifest(p, idx, all)).config.digest).toBe(b.config.digest)
    expect((await manifest(p, idx)).config.digest).toBe(a.config.digest)
  })

  it('Ordered(arm/v7, amd64) picks arm/v7; Any(arm/v7, amd64) picks whichever comes first', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const arm = makeImage(p, LINUX_ARMV7)
    const idx = makeIndex(p, [amd.manifest, arm.manifest])
    expect((await manifest(p, idx, ordered(LINUX_ARMV7, LINUX_AMD64))).config.digest).toBe(arm.config.digest)
    expect((await manifest(p, idx, any(LINUX_ARMV7, LINUX_AMD64))).config.digest).toBe(amd.config.digest)
    const flipped = makeIndex(p, [arm.manifest, amd.manifest])
    expect((await manifest(p, flipped, any(LINUX_ARMV7, LINUX_AMD64))).config.digest).toBe(arm.config.digest)
  })

  it('attestation manifests (unknown/unknown) are never chosen for a real platform', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const idx = makeIndex(p, [attestation(p, amd.manifest), amd.manifest])
    expect((await manifest(p, idx, only(LINUX_AMD64))).config.digest).toBe(amd.config.digest)
  })

  it('works across Docker and OCI types', async () => {
    const p = new MemProvider()
    const cfg = makeConfig(p, { architecture: 'arm64' }, MediaTypeDockerConfig)
    const m = makeManifest(p, cfg, [makeLayer(p)], { mediaType: MediaTypeDockerManifest })
    const list = makeIndex(p, [m], { mediaType: MediaTypeDockerManifestList })
    expect((await manifest(p, list, only(LINUX_ARM64))).mediaType).toBe(MediaTypeDockerManifest)
  })

  it('NotFound messages: "manifest <digest>" without an index seen, "no match for platform" with one', async () => {
    const p = new MemProvider()
    const empty = makeIndex(p, [])
    await expect(manifest(p, empty)).rejects.toSatisfy(notFoundWith(new RegExp(`^manifest ${empty.digest}`)))
    await expect(manifest(p, empty, all)).rejects.toSatisfy(
      notFoundWith(new RegExp(`^no match for platform in manifest ${empty.digest}`)),
    )
  })

  it('an unexpected media type is NotFound', async () => {
    const p = new MemProvider()
    const img = makeImage(p, LINUX_AMD64)
    await expect(manifest(p, img.config)).rejects.toSatisfy(notFoundWith(/unexpected media type/))
    const statement = p.put('{}', MediaTypeInToto)
    const idx = makeIndex(p, [statement, img.manifest])
    await expect(manifest(p, idx)).rejects.toSatisfy(notFoundWith(/unexpected media type .*in-toto/))
  })

  it('a missing blob is the provider NotFound', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const idx = makeIndex(p, [amd.manifest])
    p.delete(amd.manifest)
    await expect(manifest(p, idx, only(LINUX_AMD64))).rejects.toSatisfy(notFoundWith(/content digest/))
  })

  it('a schema 1 target is NotImplemented', async () => {
    const p = new MemProvider()
    const s1 = p.put(json({ schemaVersion: 1, fsLayers: [] }), MediaTypeDockerSchema1Manifest)
    await expect(manifest(p, s1)).rejects.toSatisfy((e) => isKind(e, 'not-implemented'))
  })

  it('rootFS is the chosen config diff_ids', async () => {
    const p = new MemProvider()
    const img = makeImage(p, LINUX_ARM64)
    const other = makeImage(p, LINUX_AMD64)
    const idx = makeIndex(p, [other.manifest, img.manifest])
    expect(await rootFS(p, idx, only(LINUX_ARM64))).toEqual([img.layers[0].digest])
  })
})

describe('platforms()', () => {
  it('descriptor platforms as written, attestations skipped, platform-less via normalized config', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const arm64v8 = makeImage(p, plat('linux', 'arm64', 'v8'))
    const none = platformless(p, plat('linux', 'aarch64', 'v8'))
    const nested = makeIndex(p, [makeImage(p, LINUX_ARMV7).manifest])
    const idx = makeIndex(p, [
      amd.manifest,
      attestation(p, amd.manifest),
      arm64v8.manifest,
      none.manifest,
      nested,
      amd.manifest,
    ])
    expect(await platforms(p, idx)).toEqual([
      LINUX_AMD64,
      plat('linux', 'arm64', 'v8'), // as written, not normalized
      LINUX_ARM64, // from the config, normalized
      LINUX_ARMV7, // inside the platform-less nested index
      LINUX_AMD64, // duplicates kept
    ])
  })

  it('only os or architecture "unknown" is skipped', async () => {
    const p = new MemProvider()
    const m = makeImage(p, LINUX_AMD64).manifest
    const idx = makeIndex(p, [
      { ...m, platform: plat('unknown', 'amd64') },
      { ...m, platform: plat('linux', 'unknown') },
      { ...m, platform: plat('unknownos', 'amd64') },
    ])
    expect(await platforms(p, idx)).toEqual([plat('unknownos', 'amd64')])
  })

  it('a single manifest gives its normalized config platform; an empty index gives []', async () => {
    const p = new MemProvider()
    const img = platformless(p, plat('Linux', 'x86_64'))
    expect(await platforms(p, img.manifest)).toEqual([LINUX_AMD64])
    expect(await platforms(p, makeIndex(p, []))).toEqual([])
  })

  it('a target carrying a platform contributes it without being read', async () => {
    const p = new MemProvider()
    const img = makeImage(p, LINUX_AMD64)
    expect(await platforms(p, img.manifest)).toEqual([LINUX_AMD64])
    expect(p.reads).toEqual([])
  })
})

describe('check()', () => {
  it('requires the chosen config and layers only, and files them as present or missing', async () => {
    const p = new MemProvider()
    const layers = [makeLayer(p), makeLayer(p), makeLayer(p)]
    const cfg = makeConfig(p, { diffIDs: layers.map((l) => l.digest) })
    const m = { ...makeManifest(p, cfg, layers), platform: LINUX_AMD64 }
    const idx = makeIndex(p, [makeImage(p, LINUX_ARM64).manifest, m])
    let r = await check(p, idx, only(LINUX_AMD64))
    expect(r.available).toBe(true)
    expect(r.required.map((d) => d.digest)).toEqual([cfg, ...layers].map((d) => d.digest))
    expect(r.present.map((d) => d.digest)).toEqual(r.required.map((d) => d.digest))
    expect(r.missing).toEqual([])

    p.delete(layers[1])
    r = await check(p, idx, only(LINUX_AMD64))
    expect(r.available).toBe(true) // "the required set is known", even with blobs missing
    expect(r.missing.map((d) => d.digest)).toEqual([layers[1].digest])
    expect(r.present.map((d) => d.digest)).toEqual([cfg.digest, layers[0].digest, layers[2].digest])
  })

  it('NotFound while resolving gives (false, [target], [], [target])', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64)
    const idx = makeIndex(p, [amd.manifest])
    expect(await check(p, idx, only(LINUX_S390X))).toEqual({
      available: false,
      required: [idx],
      present: [],
      missing: [idx],
    })
    p.delete(amd.manifest)
    expect(await check(p, idx, only(LINUX_AMD64))).toEqual({
      available: false,
      required: [idx],
      present: [],
      missing: [idx],
    })
    p.delete(idx)
    expect((await check(p, idx)).missing).toEqual([idx])
  })

  it('other errors are returned', async () => {
    const p = new MemProvider()
    const bad = p.put(json({ manifests: [] }), MediaTypeOCIManifest)
    await expect(check(p, bad)).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && /failed to check image/.test((e as Error).message),
    )
  })
})

describe('size()', () => {
  it('a single manifest: manifest + config + layers, duplicates counted again', async () => {
    const p = new MemProvider()
    const l1 = makeLayer(p, 100)
    const l2 = makeLayer(p, 1000)
    const cfg = makeConfig(p)
    const m = makeManifest(p, cfg, [l1, l2, l1])
    expect(await size(p, m, only(LINUX_AMD64))).toBe(m.size + cfg.size + 100 + 1000 + 100)
  })

  it('an index counts itself plus the one best manifest', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, LINUX_AMD64, { layerSize: 500 })
    const arm = makeImage(p, LINUX_ARM64, { layerSize: 700 })
    const idx = makeIndex(p, [amd.manifest, arm.manifest])
    expect(await size(p, idx, only(LINUX_ARM64))).toBe(idx.size + arm.manifest.size + arm.config.size + 700)
    // Without a matcher, everything is counted.
    expect(await size(p, idx)).toBe(
      idx.size + amd.manifest.size + amd.config.size + 500 + arm.manifest.size + arm.config.size + 700,
    )
  })

  it('counts a platform-less manifest where manifest()/check() report NotFound (linux/s390x)', async () => {
    const p = new MemProvider()
    const amd = platformless(p, LINUX_AMD64)
    const idx = makeIndex(p, [amd.manifest, makeImage(p, LINUX_ARM64).manifest])
    const m = only(LINUX_S390X)
    await expect(manifest(p, idx, m)).rejects.toSatisfy(notFoundWith(/no match for platform/))
    expect((await check(p, idx, m)).available).toBe(false)
    expect(await size(p, idx, m)).toBe(idx.size + amd.manifest.size + amd.config.size + amd.layers[0].size)
  })

  it('an index with nothing for the platform is NotFound', async () => {
    const p = new MemProvider()
    const idx = makeIndex(p, [makeImage(p, LINUX_AMD64).manifest])
    await expect(size(p, idx, only(LINUX_S390X))).rejects.toSatisfy(notFoundWith(/no match for platform/))
  })

  it('a negative size is an error', async () => {
    const p = new MemProvider()
    const cfg = makeConfig(p)
    const m = makeManifest(p, cfg, [{ ...makeLayer(p), size: -5 }])
    await expect(size(p, m, only(LINUX_AMD64))).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && /invalid size -5/.test((e as Error).message),
    )
  })
})
