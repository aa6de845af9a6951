import { describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import { isNonDistributable, parseDigest, digestHex, digestAlgorithm } from '../../src-main/core/oci'
import { digestOf } from '../../src-main/core/digest'

const hex = (n: number) => 'a'.repeat(n)

describe('parseDigest (go-digest rules)', () => {
  const ok = [`sha256:${hex(64)}`, `sha384:${hex(96)}`, `sha512:${hex(128)}`, digestOf('hello')]
  it.each(ok)('accepts %s', (d) => expect(parseDigest(d)).toBe(d))

  const bad: [string, RegExp][] = [
    ['', /invalid checksum digest format/],
    ['sha256', /invalid checksum digest format/],
    ['sha256:', /invalid checksum digest format/],
    [':' + hex(64), /invalid checksum digest format/],
    [`sha256:${hex(63)}`, /invalid checksum digest length/],
    [`sha256:${hex(65)}`, /invalid checksum digest length/],
    [`sha384:${hex(64)}`, /invalid checksum digest length/],
    [`sha256:${'A'.repeat(64)}`, /invalid checksum digest format/],
    [`sha256:${'g'.repeat(64)}`, /invalid checksum digest format/],
    [`md5:${hex(32)}`, /unsupported digest algorithm/],
    [`blake3:${hex(64)}`, /unsupported digest algorithm/],
    [`SHA256:${hex(64)}`, /invalid checksum digest format/],
  ]
  it.each(bad)('rejects %j', (d, msg) => {
    let err: unknown
    try {
      parseDigest(d)
    } catch (e) {
      err = e
    }
    expect(isKind(err, 'invalid-argument')).toBe(true)
    expect((err as Error).message).toMatch(msg)
  })

  it('splits algorithm and hex', () => {
    const d = digestOf('x', 'sha512')
    expect(digestAlgorithm(d)).toBe('sha512')
    expect(digestHex(d)).toHaveLength(128)
  })
})

describe('media types', () => {
  it.each([
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', true],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', true],
    ['application/vnd.oci.image.layer.v1.tar+gzip', false],
  ])('%s non-distributable: %s', (mt, want) => expect(isNonDistributable(mt)).toBe(want))
})
