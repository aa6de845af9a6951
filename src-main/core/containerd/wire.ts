// Protocol buffers' wire format, read and written by hand for the one answer that is big: Images.List
// (10,000 records in one message). proto-loader decodes it into protobufjs messages, converts those to
// plain objects, and images.ts converted them once more into Berth's Image; reading the bytes straight
// into the Image makes one object per value instead of three, and needs no generated code at start.
// Everything else still goes through proto-loader (proto.ts). Field numbers are containerd's.
import { unavailable } from '../errors'
import type { Image } from '../images/store'
import type { Descriptor } from '../oci'
import { sizeOf } from './client'

/** A cursor over one message's bytes; `end` bounds a nested message inside the same buffer. */
class Reader {
  pos: number
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
  }

  /** A varint as its two 32-bit halves, unsigned. */
  private halves(): [number, number] {
    let lo = 0
    let hi = 0
    let shift = 0
    let b: number
    do {
      if (this.pos >= this.end) throw truncated()
      if (shift > 63) throw unavailable('containerd answered a malformed message (a varint past 10 bytes)')
      b = this.buf[this.pos++]
      if (shift < 28) lo |= (b & 0x7f) << shift
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28
        hi = (b & 0x7f) >>> 4
      } else hi |= (b & 0x7f) << (shift - 32)
      shift += 7
    } while (b & 0x80)
    return [lo >>> 0, hi >>> 0]
  }

  /** An unsigned varint: exact up to 2^53, past it only approximate (and so never a safe integer). */
  varint(): number {
    const b = this.buf[this.pos]
    // Tags and lengths are almost always one byte.
    if (b < 0x80 && this.pos < this.end) {
      this.pos++
      return b
    }
    const [lo, hi] = this.halves()
    return hi * 2 ** 32 + lo
  }

  /** An int64 varint, two's complement (a negative one is ten bytes). */
  int64(): number {
    const [lo, hi] = this.halves()
    return hi & 0x80000000 ? -((~hi >>> 0) * 2 ** 32 + (~lo >>> 0) + 1) : hi * 2 ** 32 + lo
  }

  /** The bounds of a length-delimited field's value. */
  span(): [number, number] {
    const len = this.varint()
    const start = this.pos
    if (len > this.end - start) throw truncated()
    this.pos = start + len
    return [start, this.pos]
  }

  string(): string {
    const [s, e] = this.span()
    return this.buf.toString('utf8', s, e)
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint()
    else if (wireType === 2) this.span()
    else if (wireType === 1 || wireType === 5) {
      this.pos += wireType === 1 ? 8 : 4
      if (this.pos > this.end) throw truncated()
    } else throw unavailable(`containerd answered a malformed message (wire type ${wireType})`)
  }
}

const truncated = () => unavailable('containerd answered a truncated message')

/**
 * Enters the nested message at the cursor: returns its end, after which the caller reads tags until
 * the cursor reaches it (`leave` checks no field ran past it).
 */
function enter(r: Reader): number {
  const len = r.varint()
  if (len > r.end - r.pos) throw truncated()
  return r.pos + len
}

function leave(r: Reader, end: number): void {
  if (r.pos !== end) throw truncated()
}

/** One map<string, string> entry into `into`; an entry without a key is the empty key, as protobuf says. */
function mapEntry(r: Reader, into: Record<string, string>): void {
  const end = enter(r)
  let key = ''
  let value = ''
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x0a) key = r.string()
    else if (tag === 0x12) value = r.string()
    else r.skip(tag & 7)
  }
  leave(r, end)
  into[key] = value
}

/** google.protobuf.Timestamp; out of Date's range reads as the epoch, as client.ts's toDate does. */
function timestamp(r: Reader): Date {
  const end = enter(r)
  let seconds = 0
  let nanos = 0
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x08) seconds = r.int64()
    else if (tag === 0x10) nanos = r.int64()
    else r.skip(tag & 7)
  }
  leave(r, end)
  const ms = seconds * 1000 + Math.floor(nanos / 1e6)
  return new Date(Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : 0)
}

/** containerd.types.Descriptor: media_type 1, digest 2, size 3, annotations 5. */
function descriptor(r: Reader, what: string): Descriptor {
  const end = enter(r)
  let mediaType = ''
  let digest = ''
  let size = 0
  let annotations: Record<string, string> | undefined
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x0a) mediaType = r.string()
    else if (tag === 0x12) digest = r.string()
    else if (tag === 0x18) size = r.varint()
    else if (tag === 0x2a) mapEntry(r, (annotations ??= {}))
    else r.skip(tag & 7)
  }
  leave(r, end)
  const out: Descriptor = { mediaType, digest, size: sizeOf(size, what) }
  if (annotations) out.annotations = annotations
  return out
}

/** containerd.services.images.v1.Image: name 1, labels 2, target 3, created_at 7, updated_at 8. */
function image(r: Reader): Image {
  const end = enter(r)
  let name = ''
  const labels: Record<string, string> = {}
  let target: Descriptor | undefined
  let createdAt: Date | undefined
  let updatedAt: Date | undefined
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x0a) name = r.string()
    else if (tag === 0x12) mapEntry(r, labels)
    else if (tag === 0x1a) target = descriptor(r, `image ${name}`)
    else if (tag === 0x3a) createdAt = timestamp(r)
    else if (tag === 0x42) updatedAt = timestamp(r)
    else r.skip(tag & 7)
  }
  leave(r, end)
  return {
    name,
    labels,
    target: target ?? { mediaType: '', digest: '', size: 0 },
    createdAt: createdAt ?? new Date(0),
    updatedAt: updatedAt ?? new Date(0),
  }
}

/** containerd's ListImagesResponse (images = 1) straight into Berth's Image records. */
export function decodeImageList(buf: Buffer): Image[] {
  const r = new Reader(buf, 0, buf.length)
  const out: Image[] = []
  while (r.pos < buf.length) {
    const tag = r.varint()
    if (tag === 0x0a) out.push(image(r))
    else r.skip(tag & 7)
  }
  return out
}

/**
 * One record of a List answer read only as far as a sync compares it (name, target digest, updatedAt,
 * labels); `image()` reads the rest when the record turns out to have changed.
 */
export interface ImageHead {
  name: string
  digest: string
  /** updatedAt in milliseconds since the epoch. */
  updatedAt: number
  labels: Record<string, string>
  image(): Image
}

function head(r: Reader): ImageHead {
  const start = r.pos
  const end = enter(r)
  let name = ''
  let digest = ''
  let updatedAt = 0
  const labels: Record<string, string> = {}
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x0a) name = r.string()
    else if (tag === 0x12) mapEntry(r, labels)
    else if (tag === 0x1a) digest = digestOf(r)
    else if (tag === 0x42) updatedAt = timestamp(r).getTime()
    else r.skip(tag & 7)
  }
  leave(r, end)
  const buf = r.buf
  return { name, digest, updatedAt, labels, image: () => image(new Reader(buf, start, buf.length)) }
}

/** A descriptor's digest alone. */
function digestOf(r: Reader): string {
  const end = enter(r)
  let digest = ''
  while (r.pos < end) {
    const tag = r.varint()
    if (tag === 0x12) digest = r.string()
    else r.skip(tag & 7)
  }
  leave(r, end)
  return digest
}

/** ListImagesResponse as heads: what a sync needs to tell the changed records from the rest. */
export function decodeImageHeads(buf: Buffer): ImageHead[] {
  const r = new Reader(buf, 0, buf.length)
  const out: ImageHead[] = []
  while (r.pos < buf.length) {
    const tag = r.varint()
    if (tag === 0x0a) out.push(head(r))
    else r.skip(tag & 7)
  }
  return out
}

function varintBytes(n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

/** A message of repeated strings under one field number (ListImagesRequest's filters = 1). */
export function encodeStrings(field: number, values: string[]): Buffer {
  const parts: Buffer[] = []
  for (const v of values) {
    const bytes = Buffer.from(v, 'utf8')
    parts.push(Buffer.from([...varintBytes(field * 8 + 2), ...varintBytes(bytes.length)]), bytes)
  }
  return Buffer.concat(parts)
}

// ---------------------------------------------------------------------------------------------------
// Content.Write, the stream a copy into containerd pushes its bytes through: its requests carry 4 MiB
// each, and proto-loader copied each into a fresh message buffer before grpc-js copied it again into
// its frame. A chunk read into a buffer with room before it (chunkBuffer) gets its message header
// written into that room instead, so the bytes are copied once, into grpc's frame.

/** Bytes kept before a chunk's data for its WRITE message's header (tags, offset, length: < 32). */
const HEADROOM = 32
const roomy = new WeakSet<ArrayBufferLike>()

/**
 * A buffer for `n` bytes of a blob with header room before it, which only the Write serializer uses.
 * The room is used only when the chunk still starts where it was allocated (never for a sub-range).
 */
export function chunkBuffer(n: number): Buffer {
  const whole = Buffer.allocUnsafeSlow(HEADROOM + n)
  roomy.add(whole.buffer)
  return whole.subarray(HEADROOM)
}

export type WriteAction = 'STAT' | 'WRITE' | 'COMMIT'
const ACTIONS: WriteAction[] = ['STAT', 'WRITE', 'COMMIT']

export interface WriteRequest {
  action: WriteAction
  ref?: string
  total?: number
  expected?: string
  offset?: number
  data?: Uint8Array
  labels?: Record<string, string>
}

export interface WriteResponse {
  action: WriteAction
  offset: number
  total: number
  digest: string
}

function key(field: number, wireType: number, out: number[]): void {
  out.push(...varintBytes(field * 8 + wireType))
}

function varintField(field: number, n: number, out: number[]): void {
  key(field, 0, out)
  out.push(...varintBytes(n))
}

function bytesField(field: number, b: Uint8Array, out: number[]): void {
  key(field, 2, out)
  out.push(...varintBytes(b.length), ...b)
}

/** WriteContentRequest: action 1, ref 2, total 3, expected 4, offset 5, data 6, labels 7. */
export function encodeWriteRequest(m: WriteRequest): Buffer {
  const head: number[] = []
  // proto3 leaves zero values out; STAT is 0.
  if (m.action !== 'STAT') varintField(1, ACTIONS.indexOf(m.action), head)
  if (m.ref) bytesField(2, Buffer.from(m.ref, 'utf8'), head)
  if (m.total) varintField(3, m.total, head)
  if (m.expected) bytesField(4, Buffer.from(m.expected, 'utf8'), head)
  if (m.offset) varintField(5, m.offset, head)
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    const entry: number[] = []
    bytesField(1, Buffer.from(k, 'utf8'), entry)
    bytesField(2, Buffer.from(v, 'utf8'), entry)
    bytesField(7, Uint8Array.from(entry), head)
  }
  const data = m.data
  if (!data || data.length === 0) return Buffer.from(head)
  key(6, 2, head)
  head.push(...varintBytes(data.length))
  if (roomy.has(data.buffer) && data.byteOffset === HEADROOM && head.length <= HEADROOM) {
    const start = HEADROOM - head.length
    const out = Buffer.from(data.buffer, start, head.length + data.length)
    out.set(head, 0)
    return out
  }
  const out = Buffer.allocUnsafe(head.length + data.length)
  out.set(head, 0)
  out.set(data, head.length)
  return out
}

/** WriteContentResponse: action 1, offset 4, total 5, digest 6 (the timestamps 2 and 3 are not read). */
export function decodeWriteResponse(buf: Buffer): WriteResponse {
  const r = new Reader(buf, 0, buf.length)
  const out: WriteResponse = { action: 'STAT', offset: 0, total: 0, digest: '' }
  while (r.pos < buf.length) {
    const tag = r.varint()
    if (tag === 0x08) out.action = ACTIONS[r.varint()] ?? 'STAT'
    else if (tag === 0x20) out.offset = r.varint()
    else if (tag === 0x28) out.total = r.varint()
    else if (tag === 0x32) out.digest = r.string()
    else r.skip(tag & 7)
  }
  return out
}
