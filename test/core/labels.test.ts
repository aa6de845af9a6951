// containerd's pkg/labels validate_test.go, plus the byte-counting and message rules of
// containerd-semantics.md §a.7 and the well-known names of §e.8 and §f.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import * as labels from '../../src-main/core/labels'
import { isReservedLabel, validateLabel, validateLabels } from '../../src-main/core/labels'

const MAX = 4096
const KEY_MAX = 64

function failure(fn: () => void): Error {
  try {
    fn()
  } catch (e) {
    expect(isKind(e, 'invalid-argument')).toBe(true)
    return e as Error
  }
  throw new Error('expected an InvalidArgument error')
}

describe('validateLabel', () => {
  const valid: [name: string, key: string, value: string][] = [
    ['TestValidLabels: some=value', 'some', 'value'],
    ['TestValidLabels: 1 + 4095 bytes', 's', 's'.repeat(MAX - 1)],
    ['TestLongKey: 65-byte key, total 4096', 's'.repeat(KEY_MAX + 1), 'v'.repeat(MAX - (KEY_MAX + 1))],
    ['TestLongKey: 63-byte key, total 4096', 's'.repeat(KEY_MAX - 1), 'v'.repeat(MAX - (KEY_MAX - 1))],
    ['TestLongKey: 63-byte key, total 4095', 's'.repeat(KEY_MAX - 1), 'v'.repeat(MAX - (KEY_MAX - 1) - 1)],
    ['empty key and value', '', ''],
    ['a 4096-byte key alone', 'k'.repeat(MAX), ''],
    ['any characters', 'a b/c\n\x00=,', '\u{1F600}'],
    ['2-byte characters counted as bytes: 1 + 2×2047 + 1', 'k', 'é'.repeat(2047) + 'x'],
  ]

  it.each(valid)('%s', (_name, key, value) => {
    expect(() => validateLabel(key, value)).not.toThrow()
  })

  const invalid: [name: string, key: string, value: string, total: number, shownKey: string][] = [
    ['TestInvalidLabels: 4096 + 1', 's'.repeat(MAX), 's', MAX + 1, 's'.repeat(KEY_MAX)],
    [
      'TestLongKey: 76-byte key, one byte over',
      's'.repeat(KEY_MAX + 12),
      'v'.repeat(MAX - (KEY_MAX + 12) + 1),
      MAX + 1,
      's'.repeat(KEY_MAX),
    ],
    ['UTF-8 bytes, not UTF-16 units: 1 + 2×2048', 'k', 'é'.repeat(2048), MAX + 1, 'k'],
    ['a short key is shown whole', 'short', 'v'.repeat(MAX), MAX + 5, 'short'],
    ['a 64-byte key is shown whole', 'k'.repeat(64), 'v'.repeat(MAX), MAX + 64, 'k'.repeat(64)],
    // The key is cut at byte 64, which here falls inside a 3-byte character: the stray bytes print as U+FFFD.
    ['the key is cut at 64 bytes', '牛'.repeat(30), 'v'.repeat(MAX), MAX + 90, '牛'.repeat(21) + '\uFFFD'],
  ]

  it.each(invalid)('%s', (_name, key, value, total, shownKey) => {
    const e = failure(() => validateLabel(key, value))
    expect(e.message).toBe(
      `label key and value length (${total} bytes) greater than maximum size (4096 bytes), key: ${shownKey}: invalid argument`,
    )
  })
})

describe('validateLabels', () => {
  it('accepts a valid map and no map', () => {
    expect(() => validateLabels({ a: 'b', '': '' }, 'image.Labels')).not.toThrow()
    expect(() => validateLabels(undefined, 'image.Labels')).not.toThrow()
  })

  it('prefixes the first failure as the stores do', () => {
    const e = failure(() =>
      validateLabels({ ok: 'x', big: 'v'.repeat(MAX), bigger: 'v'.repeat(MAX + 1) }, 'info.Labels'),
    )
    expect(e.message).toBe(
      'info.Labels: label key and value length (4099 bytes) greater than maximum size (4096 bytes), key: big: invalid argument',
    )
  })
})

describe('isReservedLabel (upstream TestIsReserved)', () => {
  const cases: [string, boolean][] = [
    ['containerd.io/', true],
    ['containerd.io/restart.status', true],
    ['containerd.io/gc.ref.content', true],
    ['io.cri-containerd', true],
    ['io.cri-containerd.kind', true],
    ['io.cri-containerd.image', true],
    ['io.cri-containerdfoo', true],
    ['containerd.io', false],
    ['io.containerd.something', false],
    ['com.example.app', false],
    ['', false],
    ['Containerd.io/x', false],
  ]
  it.each(cases)('%j is %s', (key, reserved) => {
    expect(isReservedLabel(key)).toBe(reserved)
  })
})

describe('well-known names', () => {
  const names: [keyof typeof labels, string][] = [
    ['LABEL_UNCOMPRESSED', 'containerd.io/uncompressed'],
    ['LABEL_NAMESPACE_SHAREABLE', 'containerd.io/namespace.shareable'],
    ['LABEL_DISTRIBUTION_SOURCE', 'containerd.io/distribution.source'],
    ['LABEL_DISTRIBUTION_SOURCE_PREFIX', 'containerd.io/distribution.source.'],
    ['LABEL_GC_ROOT', 'containerd.io/gc.root'],
    ['LABEL_GC_REF_CONTENT', 'containerd.io/gc.ref.content'],
    ['LABEL_GC_REF_CONTENT_CONFIG', 'containerd.io/gc.ref.content.config'],
    ['LABEL_GC_REF_CONTENT_LAYER_PREFIX', 'containerd.io/gc.ref.content.l.'],
    ['LABEL_GC_REF_CONTENT_MANIFEST_PREFIX', 'containerd.io/gc.ref.content.m.'],
    ['LABEL_GC_REF_CONTENT_REFERRER_PREFIX', 'containerd.io/gc.ref.content.referrer.sha256.'],
    ['LABEL_GC_REF_CONTENT_PREFIX', 'containerd.io/gc.ref.content.'],
    ['LABEL_GC_REF_SNAPSHOT_PREFIX', 'containerd.io/gc.ref.snapshot.'],
    ['LABEL_GC_REF_IMAGE', 'containerd.io/gc.ref.image'],
    ['LABEL_GC_BREF_CONTENT', 'containerd.io/gc.bref.content'],
    ['LABEL_GC_BREF_IMAGE', 'containerd.io/gc.bref.image'],
    ['LABEL_GC_BREF_CONTAINER', 'containerd.io/gc.bref.container'],
    ['LABEL_GC_BREF_SNAPSHOT_PREFIX', 'containerd.io/gc.bref.snapshot.'],
    ['LABEL_GC_EXPIRE', 'containerd.io/gc.expire'],
    ['LABEL_GC_FLAT', 'containerd.io/gc.flat'],
    ['LABEL_GC_COND_SNAPSHOT', 'containerd.io/gc.cond.snapshot'],
    ['LABEL_GC_COND_VALUE_USEDAT', 'containerd.io/gc.cond.value-usedat'],
    ['ANNOTATION_IMAGE_NAME', 'io.containerd.image.name'],
    ['ANNOTATION_MANIFEST_SUBJECT', 'io.containerd.manifest.subject'],
    ['ANNOTATION_OCI_REF_NAME', 'org.opencontainers.image.ref.name'],
  ]
  it.each(names)('%s', (name, value) => {
    expect(labels[name]).toBe(value)
  })

  it('every containerd.io/ name is reserved', () => {
    for (const [name, value] of names) {
      if (value.startsWith('containerd.io/')) expect(isReservedLabel(value), name).toBe(true)
    }
  })
})
