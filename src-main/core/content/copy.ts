// Getting bytes into the store through a Writer: containerd's content.OpenWriter (wait while the ref
// is locked), WriteBlob and Copy, plus the streaming forms import and pull use. An AlreadyExists
// from open or commit means the blob is there: success.
import { open } from 'node:fs/promises'
import { invalidArgument, isKind } from '../errors'
import { batchedWrites } from './batched-writes'
import type { Descriptor } from '../oci'
import { isRefLocked } from './open'
import type { Writer, WriterOptions } from './types'
import { IO_CHUNK } from './writer'

export interface Ingester {
  writer(ns: string, opts: WriterOptions): Promise<Writer>
}

export interface WriteOptions {
  labels?: Record<string, string>
  lease?: string
  /** How long to wait for another writer of the same ref, in ms (default 10 s). */
  waitLocked?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Opens a writer, retrying with growing random pauses while another writer holds the ref. */
export async function openWriter(
  cs: Ingester,
  ns: string,
  opts: WriterOptions & { waitLocked?: number },
): Promise<Writer> {
  const deadline = Date.now() + (opts.waitLocked ?? 10_000)
  let pause = 20
  for (;;) {
    try {
      return await cs.writer(ns, { ref: opts.ref, desc: opts.desc, lease: opts.lease })
    } catch (e) {
      if (!isRefLocked(e) || Date.now() >= deadline) throw e
      await sleep(pause * (0.5 + Math.random()))
      pause = Math.min(pause * 2, 500)
    }
  }
}

function target(desc: Descriptor): WriterOptions['desc'] {
  return { size: desc.size ?? 0, digest: desc.digest }
}

/**
 * Runs one write attempt: `fill(w, from)` writes the bytes from offset `from` on. A resumed ingest
 * whose old bytes turn out not to belong to this blob is restarted from zero once.
 */
async function ingest(
  cs: Ingester,
  ns: string,
  ref: string,
  desc: Descriptor,
  opts: WriteOptions,
  fill: (w: Writer, from: number) => Promise<void>,
  canResume: boolean,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let w: Writer
    try {
      w = await openWriter(cs, ns, {
        ref,
        desc: target(desc),
        lease: opts.lease,
        waitLocked: opts.waitLocked,
      })
    } catch (e) {
      if (isKind(e, 'already-exists')) return
      throw e
    }
    let resumed = false
    try {
      let from = (await w.status()).offset
      const size = desc.size ?? 0
      const complete = size > 0 && from === size
      // A retry, a source that cannot seek, or more bytes than the blob has: start again from zero.
      const restart = from > 0 && (attempt > 0 || (!complete && (!canResume || (size > 0 && from > size))))
      if (restart) {
        await w.truncate(0)
        from = 0
      }
      resumed = from > 0
      if (!complete || restart) await fill(w, from)
      await w.commit(size, desc.digest, { labels: opts.labels })
      return
    } catch (e) {
      if (isKind(e, 'already-exists')) return
      // Old bytes under this ref that do not belong to the blob: once more from zero.
      if (!(resumed && isKind(e, 'failed-precondition')) || attempt > 0) throw e
    } finally {
      await w.close()
    }
  }
}

/** containerd's content.WriteBlob over bytes in memory. */
export async function writeBlob(
  cs: Ingester,
  ns: string,
  ref: string,
  data: Uint8Array,
  desc: Descriptor,
  opts: WriteOptions = {},
): Promise<void> {
  if (!(data instanceof Uint8Array)) throw invalidArgument(`writeBlob ${ref}: data must be a Uint8Array`)
  await ingest(
    cs,
    ns,
    ref,
    desc,
    opts,
    async (w, from) => {
      if (from < data.length) await w.write(data.subarray(from))
    },
    true,
  )
}

/**
 * Pipes a Node stream through a Writer. A stream cannot seek, so a partial ingest under the same ref
 * is restarted rather than resumed. The stream is consumed (or destroyed when the blob is already there).
 */
export async function writeStream(
  cs: Ingester,
  ns: string,
  ref: string,
  readable: NodeJS.ReadableStream,
  desc: Descriptor,
  opts: WriteOptions = {},
): Promise<void> {
  let used = false
  try {
    await ingest(
      cs,
      ns,
      ref,
      desc,
      opts,
      async (w) => {
        used = true
        const sink = batchedWrites(w)
        try {
          for await (const chunk of readable as AsyncIterable<Uint8Array | string>) {
            if (typeof chunk === 'string')
              throw invalidArgument(`writeStream ${ref}: the stream must yield bytes, not text`)
            await sink.push(chunk)
          }
        } catch (e) {
          // What arrived before the stream failed is kept for a resume, so the held batch goes first.
          await sink.flush().catch(() => undefined)
          throw e
        }
        await sink.flush()
      },
      false,
    )
  } finally {
    if (!used) (readable as { destroy?: () => void }).destroy?.()
  }
}

/**
 * Copies a file into the store, resuming a partial ingest of it from the same offset. Two buffers
 * alternate so the next read overlaps the current write and hash; nothing else is allocated.
 */
export async function ingestFile(
  cs: Ingester,
  ns: string,
  ref: string,
  path: string,
  desc: Descriptor,
  opts: WriteOptions = {},
): Promise<void> {
  const src = await open(path, 'r')
  try {
    const bufs = [Buffer.allocUnsafe(IO_CHUNK), Buffer.allocUnsafe(IO_CHUNK)]
    await ingest(
      cs,
      ns,
      ref,
      desc,
      opts,
      async (w, from) => {
        let pos = from
        let i = 0
        let n = (await src.read(bufs[i], 0, IO_CHUNK, pos)).bytesRead
        while (n > 0) {
          const next = src.read(bufs[1 - i], 0, IO_CHUNK, pos + n)
          try {
            await w.write(bufs[i].subarray(0, n))
          } catch (e) {
            await next.catch(() => undefined)
            throw e
          }
          pos += n
          i = 1 - i
          n = (await next).bytesRead
        }
      },
      true,
    )
  } finally {
    await src.close()
  }
}
