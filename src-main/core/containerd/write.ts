// One blob into containerd through the Content service's Write stream, as containerd's remote writer
// speaks it: STAT first (with the expected digest and size, so a blob the namespace already holds is
// answered AlreadyExists — and leased — without a byte sent, and an earlier interrupted ingest tells its
// offset so the write resumes there), then WRITE messages at increasing offsets, then COMMIT with the
// labels. Unlike the Go client, writes are pipelined (a bounded number in flight) instead of waiting for
// each answer, which is what keeps a big layer at socket speed.
import type * as grpc from '@grpc/grpc-js'
import { failedPrecondition, isKind, unavailable } from '../errors'
import type { Digest } from '../oci'
import { abortError, sizeOf, type ContainerdConnection } from './client'
import { abortIngest } from './content'
import { fromGrpc } from './errors'
import { SERVICES } from './proto'
import { decodeWriteResponse, encodeWriteRequest, type WriteRequest, type WriteResponse } from './wire'

/**
 * Bytes per WRITE message: under containerd's 16 MiB message limit (its own client sends 8 MiB), and
 * big enough that framing and the daemon's per-message work stay small (4 MiB took a quarter less CPU
 * than 1 MiB sending 300 MiB here).
 */
export const WRITE_CHUNK = 4 << 20
/** WRITE messages sent and not yet answered: 16 MiB in flight per blob. */
const IN_FLIGHT = 4
/** How often a locked ref (another writer on the same blob) is retried, as containerd's OpenWriter does. */
const LOCK_RETRIES = 100

export interface BlobWrite {
  /** The ingest ref: the same ref resumes an interrupted write (core/transfer/registry refKey naming). */
  ref: string
  desc: { digest: Digest; size: number }
  /** The blob's bytes from an offset (0, or where an earlier ingest stopped). */
  source: (
    offset: number,
  ) =>
    | AsyncIterable<Uint8Array>
    | Iterable<Uint8Array>
    | Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>
  labels?: Record<string, string>
  lease?: string
  signal?: AbortSignal
  /** Bytes the daemon holds so far. */
  onProgress?: (offset: number) => void
}

/** 'exists': the namespace had the blob and nothing was sent; 'written': it was written (or resumed). */
export async function writeBlob(
  c: ContainerdConnection,
  ns: string,
  w: BlobWrite,
): Promise<'written' | 'exists'> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await writeOnce(c, ns, w, attempt > 0)
    } catch (e) {
      if (w.signal?.aborted) throw abortError(w.signal, `writing ${w.desc.digest}`)
      // Another writer holds the ref (a concurrent copy of the same blob): wait for it, as OpenWriter does.
      if (isKind(e, 'unavailable') && /locked/.test((e as Error).message) && attempt < LOCK_RETRIES) {
        await sleep(50 + Math.random() * 150, w.signal)
        continue
      }
      if (e instanceof Resumed && attempt === 0) {
        // The interrupted ingest did not hold a prefix of this blob: drop it and write from the start.
        await abortIngest(c, ns, w.ref, { signal: w.signal }).catch(() => undefined)
        continue
      }
      throw e instanceof Resumed ? e.cause : e
    }
  }
}

class Resumed extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message)
  }
}

async function writeOnce(
  c: ContainerdConnection,
  ns: string,
  w: BlobWrite,
  fromZero: boolean,
): Promise<'written' | 'exists'> {
  const what = `writing ${w.desc.digest}`
  const s = new Session(
    // Encoded by hand (wire.ts): each chunk's bytes are copied once, into grpc's frame.
    c.duplexBytes(`/${SERVICES.content}/Write`, ns, encodeWriteRequest, decodeWriteResponse, {
      lease: w.lease,
    }),
    c.name,
    what,
  )
  const onAbort = () => s.cancel()
  w.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    let stat: WriteResponse
    try {
      stat = await s.send({
        action: 'STAT',
        ref: w.ref,
        total: w.desc.size,
        expected: w.desc.digest,
      })
    } catch (e) {
      if (isKind(e, 'already-exists')) return 'exists'
      throw e
    }
    let offset = sizeOf(stat.offset, what)
    if (fromZero || offset > w.desc.size) offset = 0
    const resumed = offset > 0
    w.onProgress?.(offset)
    if (offset < w.desc.size) {
      try {
        for await (const piece of await w.source(offset)) {
          for (let i = 0; i < piece.length; i += WRITE_CHUNK) {
            const data = Buffer.from(
              piece.buffer,
              piece.byteOffset + i,
              Math.min(WRITE_CHUNK, piece.length - i),
            )
            if (offset + data.length > w.desc.size)
              throw failedPrecondition(`${what}: the source has more than ${w.desc.size} bytes`)
            // Offset 0 on the first message restarts an ingest the daemon holds (its Truncate).
            await s.queue({ action: 'WRITE', offset, data }, (r) => w.onProgress?.(sizeOf(r.offset, what)))
            offset += data.length
          }
        }
      } catch (e) {
        // The source failed, not the daemon: let what was sent land, so the next attempt resumes after it.
        if (!w.signal?.aborted) await s.drain().catch(() => undefined)
        throw e
      }
      await s.drain()
    }
    let done: WriteResponse
    try {
      done = await s.send({
        action: 'COMMIT',
        total: w.desc.size,
        offset,
        expected: w.desc.digest,
        labels: w.labels ?? {},
      })
    } catch (e) {
      // Someone committed the same blob meanwhile: what we wanted is there.
      if (isKind(e, 'already-exists')) return 'exists'
      if (resumed && isKind(e, 'failed-precondition')) throw new Resumed(e as Error)
      throw e
    }
    if (done.digest && done.digest !== w.desc.digest)
      throw failedPrecondition(`${what}: containerd committed ${done.digest}`)
    w.onProgress?.(w.desc.size)
    return 'written'
  } finally {
    w.signal?.removeEventListener('abort', onAbort)
    s.end()
  }
}

/** Requests and their answers in order: containerd answers every message of a Write stream once. */
class Session {
  private readonly waiting: { resolve: (m: WriteResponse) => void; reject: (e: Error) => void }[] = []
  private readonly inflight: Promise<unknown>[] = []
  private failure: Error | null = null

  constructor(
    private readonly call: grpc.ClientDuplexStream<WriteRequest, WriteResponse>,
    address: string,
    private readonly what: string,
  ) {
    call.on('data', (m: WriteResponse) => this.waiting.shift()?.resolve(m))
    call.on('error', (e: grpc.ServiceError) => this.fail(fromGrpc(e, address, what)))
    call.on('end', () =>
      this.fail(unavailable(`containerd at ${address}: ${what}: the daemon ended the stream early`)),
    )
  }

  private fail(e: Error): void {
    this.failure ??= e
    for (const w of this.waiting.splice(0)) w.reject(this.failure)
  }

  send(req: WriteRequest): Promise<WriteResponse> {
    if (this.failure) return Promise.reject(this.failure)
    const p = new Promise<WriteResponse>((resolve, reject) => this.waiting.push({ resolve, reject }))
    this.call.write(req)
    return p
  }

  /** Sends without waiting for the answer, keeping at most IN_FLIGHT unanswered and grpc's buffer drained. */
  async queue(req: WriteRequest, answered: (r: WriteResponse) => void): Promise<void> {
    if (this.failure) throw this.failure
    const p = new Promise<WriteResponse>((resolve, reject) => this.waiting.push({ resolve, reject })).then(
      answered,
    )
    p.catch(() => undefined)
    this.inflight.push(p)
    const more = this.call.write(req)
    if (this.inflight.length >= IN_FLIGHT) await this.inflight.shift()
    if (!more && !this.failure) await new Promise<void>((r) => this.call.once('drain', r))
    if (this.failure) throw this.failure
  }

  async drain(): Promise<void> {
    for (const p of this.inflight.splice(0)) await p
  }

  cancel(): void {
    this.call.cancel()
  }

  end(): void {
    this.fail(unavailable(`${this.what}: the write is over`))
    this.call.end()
    this.call.cancel()
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(abortError(signal, 'waiting for a locked ingest'))
      },
      { once: true },
    )
  })
}
