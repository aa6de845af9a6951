// GC reference labels: childGCLabels' table, the per-stem counters, and setChildrenLabels against a
// recording store and the real content store (containerd-semantics.md §e.8).
import { afterEach, describe, expect, it } from 'vitest'
import {
  childGCLabels,
  childGCLabelsFilterLayers,
  childrenHandler,
  setChildrenLabels,
  setChildrenMappedLabels,
  walk,
  type Handler,
  type LabelStore,
} from '../../../../src-main/core/images/handlers'
import {
  MediaTypeContainerdCheckpoint,
  MediaTypeContainerdCheckpointConfig,
  MediaTypeDockerConfig,
  MediaTypeDockerLayerGzip,
  MediaTypeDockerManifest,
  MediaTypeDockerManifestList,
  MediaTypeInToto,
  MediaTypeOCIConfig,
  MediaTypeOCIIndex,
  MediaTypeOCILayerZstd,
  MediaTypeOCIManifest,
  type Descriptor,
} from '../../../../src-main/core/oci'
import { makeConfig, makeImage, makeIndex, makeLayer, makeManifest, MemProvider, plat } from './fixtures'
import { load, realStore, type RealStore } from './store'

const P = 'containerd.io/gc.ref.content.'
const hex = (c: string): string => c.repeat(64)
const desc = (mediaType: string, h = 'a', annotations?: Record<string, string>): Descriptor => ({
  mediaType,
  digest: `sha256:${hex(h)}`,
  size: 1,
  ...(annotations ? { annotations } : {}),
})

describe('childGCLabels', () => {
  const table: [string, Descriptor, string[]][] = [
    ['OCI config', desc(MediaTypeOCIConfig), [`${P}config`]],
    ['Docker config', desc(MediaTypeDockerConfig), [`${P}config`]],
    ['CRIU checkpoint', desc(MediaTypeContainerdCheckpoint), [`${P}config`]],
    ['checkpoint config', desc(MediaTypeContainerdCheckpointConfig), [`${P}config`]],
    ['OCI manifest', desc(MediaTypeOCIManifest), [`${P}m.`]],
    ['Docker manifest', desc(MediaTypeDockerManifest), [`${P}m.`]],
    ['zstd layer', desc(MediaTypeOCILayerZstd), [`${P}l.`]],
    ['Docker gzip layer', desc(MediaTypeDockerLayerGzip), [`${P}l.`]],
    ['nested OCI index', desc(MediaTypeOCIIndex), [P]],
    ['nested Docker list', desc(MediaTypeDockerManifestList), [P]],
    ['in-toto', desc(MediaTypeInToto), [P]],
    ['unknown', desc('application/x-foo'), [P]],
    [
      'a referrer (subject annotation) wins over its type',
      desc(MediaTypeOCIManifest, 'b', { 'io.containerd.manifest.subject': 'sha256:' + hex('c') }),
      [`${P}referrer.sha256.`],
    ],
  ]
  it.each(table)('%s', (_, d, want) => {
    expect(childGCLabels(d)).toEqual(want)
  })

  it('the filter-layers variant gives nothing for layers only', () => {
    expect(childGCLabelsFilterLayers(desc(MediaTypeOCILayerZstd))).toEqual([])
    expect(childGCLabelsFilterLayers(desc(MediaTypeDockerLayerGzip))).toEqual([])
    expect(childGCLabelsFilterLayers(desc(MediaTypeOCIConfig))).toEqual([`${P}config`])
    expect(childGCLabelsFilterLayers(desc(MediaTypeOCIManifest))).toEqual([`${P}m.`])
  })
})

/** Records every update; info is never needed here. */
class RecordingStore implements LabelStore {
  readonly calls: { digest: string; labels: Record<string, string>; fieldpaths: string[] }[] = []
  async info(): Promise<{ labels: Record<string, string> }> {
    return { labels: {} }
  }
  async update(
    ns: string,
    info: { digest: string; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): Promise<unknown> {
    expect(ns).toBe('ns1')
    this.calls.push({ digest: info.digest, labels: { ...info.labels }, fieldpaths })
    return info
  }
}

describe('setChildrenLabels counters', () => {
  const parent = desc(MediaTypeOCIIndex, 'f')
  const kids: Descriptor[] = [
    desc(MediaTypeOCIConfig, '1'),
    desc(MediaTypeOCILayerZstd, '2'),
    desc(MediaTypeOCIManifest, '3'),
    desc(MediaTypeOCIConfig, '4'),
    desc(MediaTypeOCILayerZstd, '5'),
    desc(MediaTypeOCIIndex, '6'),
    desc(MediaTypeInToto, '7'),
    desc(MediaTypeOCIManifest, '8', { 'io.containerd.manifest.subject': parent.digest }),
    desc(MediaTypeOCIManifest, '9', { 'io.containerd.manifest.subject': parent.digest }),
    desc(MediaTypeOCIConfig, 'a'),
  ]
  const fixed: Handler = async () => kids

  it('one update on the parent with a key per child, in child order', async () => {
    const rec = new RecordingStore()
    const out = await setChildrenLabels(rec, 'ns1', fixed)(parent)
    expect(out).toBe(kids)
    expect(rec.calls).toHaveLength(1)
    const want: Record<string, string> = {
      [`${P}config`]: kids[0].digest,
      [`${P}l.0`]: kids[1].digest,
      [`${P}m.0`]: kids[2].digest,
      [`${P}config1`]: kids[3].digest,
      [`${P}l.1`]: kids[4].digest,
      [`${P}0`]: kids[5].digest,
      [`${P}1`]: kids[6].digest,
      [`${P}referrer.sha256.${hex('8').slice(0, 12)}`]: kids[7].digest,
      [`${P}referrer.sha256.${hex('9').slice(0, 12)}`]: kids[8].digest,
      [`${P}config2`]: kids[9].digest,
    }
    expect(rec.calls[0].digest).toBe(parent.digest)
    expect(rec.calls[0].labels).toEqual(want)
    expect(rec.calls[0].fieldpaths).toEqual(Object.keys(want).map((k) => `labels.${k}`))
  })

  it('no children: no update', async () => {
    const rec = new RecordingStore()
    expect(await setChildrenLabels(rec, 'ns1', async () => [])(parent)).toEqual([])
    expect(rec.calls).toEqual([])
  })

  it('a custom map; stems mapping to nothing give no update', async () => {
    const rec = new RecordingStore()
    await setChildrenMappedLabels(rec, 'ns1', fixed, (d) =>
      d.mediaType === MediaTypeOCIConfig ? ['x.y', 'z.'] : [],
    )(parent)
    expect(rec.calls[0].labels).toEqual({
      'x.y': kids[0].digest,
      'z.0': kids[0].digest,
      'x.y1': kids[3].digest,
      'z.1': kids[3].digest,
      'x.y2': kids[9].digest,
      'z.2': kids[9].digest,
    })
    const rec2 = new RecordingStore()
    await setChildrenMappedLabels(
      rec2,
      'ns1',
      async () => [desc(MediaTypeOCILayerZstd)],
      childGCLabelsFilterLayers,
    )(parent)
    expect(rec2.calls).toEqual([])
  })

  it('handler errors pass through without an update', async () => {
    const rec = new RecordingStore()
    await expect(
      setChildrenLabels(rec, 'ns1', async () => Promise.reject(new Error('boom')))(parent),
    ).rejects.toThrow('boom')
    expect(rec.calls).toEqual([])
  })
})

describe('setChildrenLabels on the real content store', () => {
  let rs: RealStore | undefined
  afterEach(() => {
    rs?.cleanup()
    rs = undefined
  })

  it('labels every parent during a walk, merging with labels already there', async () => {
    const p = new MemProvider()
    const amd = makeImage(p, plat('linux', 'amd64'))
    const l2 = makeLayer(p, 50)
    const cfg = makeConfig(p, { architecture: 'arm64' })
    const arm = { ...makeManifest(p, cfg, [l2, amd.layers[0]]), platform: plat('linux', 'arm64') }
    const idx = makeIndex(p, [amd.manifest, arm])
    rs = realStore()
    const { cs } = rs
    await load(cs, 'ns1', p)
    await cs.update('ns1', { digest: idx.digest, labels: { keep: 'me', [`${P}m.0`]: 'sha256:' + hex('0') } })

    await walk(setChildrenLabels(cs, 'ns1', childrenHandler(cs.provider('ns1'))), idx)

    expect((await cs.info('ns1', idx.digest)).labels).toEqual({
      keep: 'me',
      [`${P}m.0`]: amd.manifest.digest,
      [`${P}m.1`]: arm.digest,
    })
    expect((await cs.info('ns1', arm.digest)).labels).toEqual({
      [`${P}config`]: cfg.digest,
      [`${P}l.0`]: l2.digest,
      [`${P}l.1`]: amd.layers[0].digest,
    })
    // Leaves get nothing.
    expect((await cs.info('ns1', l2.digest)).labels).toEqual({})
    // Another namespace is untouched.
    await load(cs, 'ns2', p)
    expect((await cs.info('ns2', idx.digest)).labels).toEqual({})
  })

  it('a missing parent record is the store NotFound', async () => {
    rs = realStore()
    const p = new MemProvider()
    const img = makeImage(p, plat('linux', 'amd64'))
    await expect(setChildrenLabels(rs.cs, 'ns1', childrenHandler(p))(img.manifest)).rejects.toMatchObject({
      kind: 'not-found',
    })
  })
})
