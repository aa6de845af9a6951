// wire.ts reads Images.List answers by hand. The bytes here are encoded by proto-loader from proto.ts —
// the encoder every other call uses — so both sides of the comparison speak the same .proto subset.
import { fromJSON } from '@grpc/proto-loader'
import { describe, expect, it } from 'vitest'
import { CONTAINERD_API, SERVICES } from '../../src-main/core/containerd/proto'
import {
  chunkBuffer,
  decodeImageHeads,
  decodeImageList,
  decodeWriteResponse,
  encodeStrings,
  encodeWriteRequest,
} from '../../src-main/core/containerd/wire'
import { isKind } from '../../src-main/core/errors'

const def = fromJSON(CONTAINERD_API, { keepCase: false, longs: String, enums: String, defaults: true })
const Write = (def[SERVICES.content] as unknown as Record<string, Record<string, (x: unknown) => unknown>>)
  .Write
const List = (def[SERVICES.images] as unknown as Record<string, Record<string, (x: unknown) => unknown>>).List
const encode = (images: unknown[]) => List.responseSerialize({ images }) as Buffer

const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 + 123 })
const D = 'sha256:' + 'a'.repeat(64)

const records = [
  {
    name: 'docker.io/library/alpine:3.20',
    labels: { 'containerd.io/gc.ref.content.m': D, 'ü-key': 'välue ✓', empty: '' },
    target: {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: D,
      size: String(2 ** 53 - 1),
      annotations: { 'org.opencontainers.image.ref.name': '3.20' },
    },
    createdAt: ts(1_700_000_000_123),
    updatedAt: ts(1_733_000_000_999),
  },
  // No labels, no annotations, a timestamp before 1970 (negative seconds are ten-byte varints).
  {
    name: 'x',
    labels: {},
    target: { mediaType: 'm', digest: D, size: '0', annotations: {} },
    createdAt: { seconds: '-86400', nanos: 0 },
    updatedAt: ts(0),
  },
  // No target and no times at all: what the old conversion made of a record the daemon left empty.
  { name: 'bare', labels: {}, target: null, createdAt: null, updatedAt: null },
]

const expected = [
  {
    name: 'docker.io/library/alpine:3.20',
    labels: { 'containerd.io/gc.ref.content.m': D, 'ü-key': 'välue ✓', empty: '' },
    target: {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: D,
      size: 2 ** 53 - 1,
      annotations: { 'org.opencontainers.image.ref.name': '3.20' },
    },
    createdAt: new Date(1_700_000_000_123),
    updatedAt: new Date(1_733_000_000_999),
  },
  {
    name: 'x',
    labels: {},
    target: { mediaType: 'm', digest: D, size: 0 },
    createdAt: new Date(-86_400_000),
    updatedAt: new Date(0),
  },
  {
    name: 'bare',
    labels: {},
    target: { mediaType: '', digest: '', size: 0 },
    createdAt: new Date(0),
    updatedAt: new Date(0),
  },
]

describe('Images.List answers read from their bytes', () => {
  it('reads every field as proto-loader encodes it', () => {
    expect(decodeImageList(encode(records))).toEqual(expected)
    expect(decodeImageList(encode([]))).toEqual([])
  })

  it('reads heads with what a sync compares, and the whole record on demand', () => {
    const heads = decodeImageHeads(encode(records))
    expect(heads.map((h) => [h.name, h.digest, h.updatedAt, h.labels])).toEqual(
      expected.map((e) => [e.name, e.target.digest, e.updatedAt.getTime(), e.labels]),
    )
    expect(heads.map((h) => h.image())).toEqual(expected)
  })

  it('skips fields it does not know, as protobuf requires of a newer daemon', () => {
    const known = encode(records.slice(0, 1))
    // Field 2 (varint), field 3 (fixed64), field 4 (length-delimited), field 5 (fixed32) of the response.
    const unknown = Buffer.from([
      0x10, 0x96, 0x01, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x22, 2, 0x41, 0x42, 0x2d, 1, 2, 3, 4,
    ])
    expect(decodeImageList(Buffer.concat([unknown, known, unknown]))).toEqual(expected.slice(0, 1))
  })

  it('refuses truncated answers and sizes past 2^53 with an error naming the daemon answer', () => {
    const bytes = encode(records)
    for (const cut of [1, 10, bytes.length - 1]) {
      const e = (() => {
        try {
          decodeImageList(bytes.subarray(0, cut))
        } catch (x) {
          return x
        }
      })()
      expect(isKind(e, 'unavailable'), `cut at ${cut}`).toBe(true)
    }
    const huge = encode([{ ...records[1], target: { ...records[1].target, size: String(2 ** 60) } }])
    expect(() => decodeImageList(huge)).toThrow(/impossible size/)
    const negative = encode([{ ...records[1], target: { ...records[1].target, size: '-1' } }])
    expect(() => decodeImageList(negative)).toThrow(/impossible size/)
  })

  it('writes the request as proto-loader reads it', () => {
    const filters = ['name~=^docker\\.io/', 'labels."ü"==✓', '']
    expect(List.requestDeserialize(encodeStrings(1, filters))).toEqual({ filters })
    expect(List.requestDeserialize(encodeStrings(1, []))).toEqual({ filters: [] })
  })
})

describe('Content.Write messages written and read by hand', () => {
  it('writes STAT, WRITE and COMMIT as proto-loader reads them', () => {
    expect(
      Write.requestDeserialize(
        encodeWriteRequest({ action: 'STAT', ref: 'ref-ü', total: 2 ** 40 + 3, expected: D }),
      ),
    ).toEqual({
      action: 'STAT',
      ref: 'ref-ü',
      total: String(2 ** 40 + 3),
      expected: D,
      offset: '0',
      data: Buffer.alloc(0),
      labels: {},
    })
    const labels = { 'containerd.io/gc.ref.content.l.0': D, a: '' }
    expect(
      Write.requestDeserialize(
        encodeWriteRequest({ action: 'COMMIT', total: 5, offset: 5, expected: D, labels }),
      ),
    ).toMatchObject({ action: 'COMMIT', total: '5', offset: '5', expected: D, labels })
  })

  it('frames a chunk in the room before it, and copies a chunk without room, with the same bytes', () => {
    const roomy = chunkBuffer(300_000)
    for (let i = 0; i < roomy.length; i++) roomy[i] = (i * 7) & 0xff
    const plain = Buffer.from(roomy)
    for (const data of [roomy, plain, roomy.subarray(5), roomy.subarray(0, 1000)]) {
      const before = Buffer.from(roomy)
      const m = Write.requestDeserialize(encodeWriteRequest({ action: 'WRITE', offset: 2 ** 33, data })) as {
        data: Buffer
        offset: string
        action: string
      }
      expect(m.action).toBe('WRITE')
      expect(m.offset).toBe(String(2 ** 33))
      expect(Buffer.compare(m.data, Buffer.from(data))).toBe(0)
      // The chunk's own bytes are never written over.
      expect(Buffer.compare(roomy, before)).toBe(0)
    }
  })

  it('reads the answers proto-loader writes', () => {
    const answer = {
      action: 'COMMIT',
      startedAt: { seconds: '5', nanos: 0 },
      updatedAt: { seconds: '6', nanos: 0 },
      offset: String(2 ** 40),
      total: String(2 ** 40),
      digest: D,
    }
    expect(decodeWriteResponse(Write.responseSerialize(answer) as Buffer)).toEqual({
      action: 'COMMIT',
      offset: 2 ** 40,
      total: 2 ** 40,
      digest: D,
    })
    expect(decodeWriteResponse(Buffer.alloc(0))).toEqual({ action: 'STAT', offset: 0, total: 0, digest: '' })
  })
})
