// Media-type classification, DiffCompression and validateMediaType (containerd-semantics.md §g).
import { describe, expect, it } from 'vitest'
import { isKind } from '../../../../src-main/core/errors'
import {
  diffCompression,
  isAttestationType,
  isConfigType,
  isIndexType,
  isKnownConfig,
  isLayerType,
  isManifestType,
  isNonDistributable,
  MAX_MANIFEST_SIZE,
  validateMediaType,
} from '../../../../src-main/core/images/handlers'
import * as image from '../../../../src-main/core/images/image'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
const CRIU = 'application/vnd.containerd.container.criu.checkpoint.criu.tar'
const CKPT_CONFIG = 'application/vnd.containerd.container.checkpoint.config.v1+proto'
const DL = 'application/vnd.docker.image.rootfs.diff.tar'
const DLF = 'application/vnd.docker.image.rootfs.foreign.diff.tar'
const OL = 'application/vnd.oci.image.layer.v1.tar'
const OLN = 'application/vnd.oci.image.layer.nondistributable.v1.tar'
const INTOTO = 'application/vnd.in-toto+json'

const enc = (v: unknown): Uint8Array =>
  new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))

describe('classification', () => {
  const table: [string, { m?: true; i?: true; c?: true; k?: true; l?: true; a?: true; nd?: true }][] = [
    [OCI_MANIFEST, { m: true }],
    [DOCKER_MANIFEST, { m: true }],
    ['application/vnd.docker.distribution.manifest.v1+prettyjws', {}],
    [OCI_INDEX, { i: true }],
    [DOCKER_LIST, { i: true }],
    [OCI_CONFIG, { c: true, k: true }],
    [DOCKER_CONFIG, { c: true, k: true }],
    [CRIU, { k: true }],
    [CKPT_CONFIG, { k: true }],
    [OL, { l: true }],
    [OL + '+gzip', { l: true }],
    [OL + '+zstd', { l: true }],
    ['application/vnd.oci.image.layer.v2.tar+foo', { l: true }],
    [OLN + '+gzip', { l: true, nd: true }],
    [DL, { l: true }],
    [DL + '.gzip', { l: true }],
    [DL + '.zstd', { l: true }],
    [DL + '.gzip+encrypted', { l: true }],
    [DLF, { l: true, nd: true }],
    [DLF + '.gzip', { l: true, nd: true }],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.zstd', { nd: true }],
    ['application/vnd.erofs.layer.v1', { l: true }],
    ['application/vnd.erofs.layer.v1+zstd', { l: true }],
    [INTOTO, { a: true }],
    ['application/octet-stream', {}],
    ['', {}],
  ]
  it.each(table)('%s', (mt, want) => {
    expect({
      m: isManifestType(mt),
      i: isIndexType(mt),
      c: isConfigType(mt),
      k: isKnownConfig(mt),
      l: isLayerType(mt),
      a: isAttestationType(mt),
      nd: isNonDistributable(mt),
    }).toEqual({
      m: !!want.m,
      i: !!want.i,
      c: !!want.c,
      k: !!want.k,
      l: !!want.l,
      a: !!want.a,
      nd: !!want.nd,
    })
  })

  it('MAX_MANIFEST_SIZE is 4·1048·1048, not 4 MiB', () => {
    expect(MAX_MANIFEST_SIZE).toBe(4393216)
  })

  it('image.ts exposes the same helpers', () => {
    expect(image.validateMediaType).toBe(validateMediaType)
    expect(image.diffCompression).toBe(diffCompression)
  })
})

describe('diffCompression', () => {
  const table: [string, string][] = [
    [DL, 'unknown'],
    [DLF, 'unknown'],
    [DL + '.gzip', 'gzip'],
    [DLF + '.gzip', 'gzip'],
    [DL + '.zstd', 'zstd'],
    [DL + '+encrypted', ''],
    [DL + '.gzip+encrypted', ''],
    [DL + '.zstd+x', ''],
    [OL, ''],
    [OL + '+gzip', 'gzip'],
    [OL + '+zstd', 'zstd'],
    [OL + '+encrypted', ''],
    [OL + '+gzip+encrypted', 'gzip'],
    [OL + '+encrypted+gzip', 'gzip'],
    [OL + '+zstd+gzip', 'zstd'],
    [OL + '+gzip+zzz', ''],
    [OLN, ''],
    [OLN + '+gzip', 'gzip'],
    [OLN + '+zstd', 'zstd'],
  ]
  it.each(table)('%s → %j', (mt, want) => {
    expect(diffCompression(mt)).toBe(want)
  })

  it.each([
    OCI_CONFIG,
    'application/vnd.oci.image.layer.v2.tar+gzip',
    'application/vnd.erofs.layer.v1',
    '',
    'foo',
  ])('%j is NotImplemented', (mt) => {
    expect(() => diffCompression(mt)).toThrow(expect.objectContaining({ kind: 'not-implemented' }))
  })
})

describe('validateMediaType', () => {
  const manifestBody = { config: { size: 1 }, layers: [{ size: 2 }] }
  const indexBody = { manifests: [{ size: 1 }] }

  const kinds = [
    [DOCKER_MANIFEST, false],
    [OCI_MANIFEST, false],
    [DOCKER_LIST, true],
    [OCI_INDEX, true],
  ] as const
  it.each(kinds)('a manifest body declared %s (index=%s)', (mt, index) => {
    const run = (): void => validateMediaType(enc(manifestBody), mt)
    if (index) expect(run).toThrow(/expected index but found manifest/)
    else expect(run).not.toThrow()
  })
  it.each(kinds)('an index body declared %s (index=%s)', (mt, index) => {
    const run = (): void => validateMediaType(enc(indexBody), mt)
    if (index) expect(run).not.toThrow()
    else expect(run).toThrow(/expected manifest but found index/)
  })

  const own: [string, string[], string[]][] = [
    [DOCKER_MANIFEST, [DOCKER_MANIFEST, OCI_MANIFEST], [DOCKER_LIST, OCI_INDEX]],
    [OCI_MANIFEST, [DOCKER_MANIFEST, OCI_MANIFEST], [DOCKER_LIST, OCI_INDEX]],
    [DOCKER_LIST, [DOCKER_LIST, OCI_INDEX], [DOCKER_MANIFEST, OCI_MANIFEST]],
    [OCI_INDEX, [DOCKER_LIST, OCI_INDEX], [DOCKER_MANIFEST, OCI_MANIFEST]],
  ]
  for (const [declared, valid, invalid] of own) {
    it.each(valid)(`declared ${declared}, own mediaType %s is fine`, (v) => {
      expect(() => validateMediaType(enc({ mediaType: v }), declared)).not.toThrow()
    })
    it.each(invalid)(`declared ${declared}, own mediaType %s is refused`, (v) => {
      expect(() => validateMediaType(enc({ mediaType: v }), declared)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument' }),
      )
    })
  }

  it.each([
    ['["1"]', '{"fsLayers":["1"]}'],
    ['[] (raw JSON is non-empty)', '{"fsLayers":[]}'],
    ['null', '{"fsLayers":null}'],
    ['case-insensitive key', '{"FSLayers":[{}]}'],
  ])('fsLayers %s is schema 1', (_, body) => {
    for (const mt of ['', OCI_MANIFEST, OCI_INDEX, 'application/octet-stream']) {
      expect(() => validateMediaType(enc(body), mt)).toThrow(/schema 1 not supported/)
    }
  })

  it.each([
    ['"manifests": []', OCI_MANIFEST, '{"manifests":[]}'],
    ['"manifests": null', DOCKER_MANIFEST, '{"manifests":null}'],
    ['"config": null', OCI_INDEX, '{"config":null}'],
    ['"layers": []', DOCKER_LIST, '{"manifests":[],"layers":[]}'],
    ['"Layers" (Go matches keys case-insensitively)', OCI_INDEX, '{"Layers":[]}'],
    ['"MediaType" naming an index', OCI_MANIFEST, `{"MediaType":"${OCI_INDEX}"}`],
  ])('a present key counts even when empty: %s', (_, mt, body) => {
    expect(() => validateMediaType(enc(body), mt)).toThrow(
      expect.objectContaining({ kind: 'invalid-argument' }),
    )
  })

  it.each([
    ['not JSON', 'nope'],
    ['truncated', '{"config":'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['mediaType not a string', '{"mediaType":1}'],
  ])('%s is invalid', (_, body) => {
    expect(() => validateMediaType(enc(body), OCI_MANIFEST)).toThrow(
      expect.objectContaining({ kind: 'invalid-argument' }),
    )
  })

  it.each([
    ['null body', 'null'],
    ['empty object', '{}'],
    ['unknown keys', '{"foo":1,"annotations":{}}'],
    ['mediaType null', '{"mediaType":null,"layers":[]}'],
  ])('%s passes for a manifest', (_, body) => {
    expect(() => validateMediaType(enc(body), OCI_MANIFEST)).not.toThrow()
  })

  it('other declared types get only the JSON and fsLayers checks', () => {
    const body = enc({ manifests: [], config: {}, layers: [], mediaType: OCI_INDEX })
    expect(() => validateMediaType(body, 'application/vnd.example+json')).not.toThrow()
    expect(() => validateMediaType(enc('nope'), 'application/vnd.example+json')).toThrow()
  })

  it('errors carry an errdefs kind', () => {
    try {
      validateMediaType(enc({ manifests: [] }), OCI_MANIFEST)
      expect.unreachable()
    } catch (e) {
      expect(isKind(e, 'invalid-argument')).toBe(true)
    }
  })
})
