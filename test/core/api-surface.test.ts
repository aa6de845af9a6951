// The core's public surface (shared/docs/core-api.md): acceptance suites outside this repository import
// these paths and names. Renaming one breaks them, so this test pins every name.
import { describe, expect, it } from 'vitest'

const surface: Record<string, string[]> = {
  '../../src-main/core/errors': ['BerthError', 'isKind'],
  '../../src-main/core/oci': ['parseDigest'],
  '../../src-main/core/platforms': [
    'parse',
    'normalize',
    'format',
    'formatAll',
    'newMatcher',
    'only',
    'onlyStrict',
    'onlyOS',
    'ordered',
    'any',
    'all',
    'hostPlatform',
    'defaultMatcher',
  ],
  '../../src-main/core/filters': ['parse', 'parseAll'],
  '../../src-main/core/labels': ['validateLabel', 'isReservedLabel'],
  '../../src-main/core/db': ['openDatabase'],
  '../../src-main/core/images/store': ['ImageStore'],
  '../../src-main/core/content/store': ['ContentStore', 'writeBlob'],
  '../../src-main/core/images/handlers': [
    'ErrSkipDesc',
    'ErrStopHandler',
    'handlers',
    'walk',
    'dispatch',
    'children',
    'childrenHandler',
    'filterPlatforms',
    'limitManifests',
    'setChildrenLabels',
    'childGCLabels',
    'validateMediaType',
    'isIndexType',
    'isManifestType',
    'isLayerType',
    'isConfigType',
    'isAttestationType',
    'diffCompression',
  ],
  '../../src-main/core/images/image': ['manifest', 'config', 'rootFS', 'platforms', 'check', 'size'],
}

describe('core-api.md surface', () => {
  for (const [path, names] of Object.entries(surface)) {
    it(`${path.replace('../../', '')} exports ${names.join(', ')}`, async () => {
      const mod = (await import(/* @vite-ignore */ path)) as Record<string, unknown>
      for (const name of names) expect(mod[name], `${path} ${name}`).toBeDefined()
    })
  }

  it('platforms.all is a comparer, not a factory', async () => {
    const p = await import('../../src-main/core/platforms')
    expect(typeof p.all.match).toBe('function')
    expect(typeof p.all.less).toBe('function')
  })

  it('the BerthError kinds are the six errdefs classes', async () => {
    const { BerthError } = await import('../../src-main/core/errors')
    for (const k of [
      'not-found',
      'already-exists',
      'invalid-argument',
      'failed-precondition',
      'unavailable',
      'not-implemented',
    ] as const) {
      expect(new BerthError(k, 'x').kind).toBe(k)
    }
  })
})
