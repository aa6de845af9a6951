// A layer's uncompressed bytes, streamed: the blob read from the store, its compression found by magic
// number as containerd's DetectCompression does (whatever the media type says), inflated off the main
// thread by Node's zlib (gzip, zstd), counted against a decompression-bomb bound and, when asked, hashed —
// the hash is what proves a diff ID. Nothing is held whole and nothing is written to disk.
import { Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import { blobChunks, type Provider } from '../content/provider'
import { BerthError, invalidArgument } from '../errors'
import { COMPRESSION_HEAD_BYTES, detectCompression, type Compression } from '../compression'
import { defaultMaxUncompressed } from '../images/diffid'
import type { Descriptor, Digest } from '../oci'
import { layerHasher } from './hasher'

export interface PumpOptions {
  /** Most uncompressed bytes accepted; default: the diff ID computation's bound for this blob size. */
  maxUncompressed?: number
  signal?: AbortSignal
  /** Hash the uncompressed bytes (sha256). */
  hash?: boolean
  /** Called with the compressed bytes read so far. */
  onRead?: (bytes: number) => void
}

export interface PumpResult {
  /** Uncompressed bytes seen (all of them, unless the sink stopped early). */
  size: number
  /** sha256 of the uncompressed bytes, when asked and read to the end. */
  digest?: Digest
  compression: Compression
  /** The sink asked to stop before the end. */
  stopped: boolean
}

/** A sink returns STOP to end the read early (the entry it wanted is found). */
export const STOP = Symbol('stop')
export type Sink = (chunk: Buffer) => void | typeof STOP | Promise<void | typeof STOP>

class Stopped extends Error {}

export async function pumpLayer(
  p: Provider,
  desc: Descriptor,
  sink: Sink,
  opts: PumpOptions = {},
): Promise<PumpResult> {
  const max = opts.maxUncompressed ?? defaultMaxUncompressed(desc.size)
  const source = (await blobChunks(p, desc))[Symbol.asyncIterator]()
  const head: Buffer[] = []
  let headLen = 0
  while (headLen < COMPRESSION_HEAD_BYTES) {
    const r = await source.next()
    if (r.done) break
    head.push(Buffer.from(r.value))
    headLen += r.value.length
  }
  const compression = detectCompression(Buffer.concat(head))
  let read = 0
  async function* compressed(): AsyncGenerator<Buffer> {
    try {
      for (const c of head) {
        read += c.length
        opts.onRead?.(read)
        yield c
      }
      for (let r = await source.next(); !r.done; r = await source.next()) {
        read += r.value.length
        opts.onRead?.(read)
        yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength)
      }
    } finally {
      // Stopping early (found, bomb, abort, error) must release the file.
      await source.return?.()
    }
  }
  const hash = opts.hash ? layerHasher(desc.size) : null
  let size = 0
  let stopped = false
  let sinkError: unknown
  const consume = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const c of chunks) {
      size += c.length
      if (size > max) {
        throw invalidArgument(
          `layer ${desc.digest} decompresses to more than ${max} bytes (from ${desc.size}); refusing it as a likely decompression bomb`,
        )
      }
      const h = hash?.update(c)
      if (h) await h
      let r: void | typeof STOP
      try {
        const out = sink(c)
        r = out instanceof Promise ? await out : out
      } catch (e) {
        // The caller's own failure (its output closed, a bound it checks): passed on as it is.
        sinkError = e
        throw e
      }
      if (r === STOP) throw new Stopped()
    }
  }
  const input = Readable.from(compressed(), { objectMode: false })
  try {
    try {
      if (compression === 'none') await pipeline(input, consume, { signal: opts.signal })
      else await pipeline(input, inflater(compression), consume, { signal: opts.signal })
    } catch (e) {
      if (e instanceof Stopped) stopped = true
      else if (e === sinkError) throw e
      else if (e instanceof BerthError || (e as Error).name === 'AbortError') throw e
      else if (opts.signal?.aborted) throw opts.signal.reason
      else {
        throw invalidArgument(
          `layer ${desc.digest}: cannot read its ${compression === 'none' ? 'tar' : compression} stream: ${(e as Error).message}`,
          e,
        )
      }
    }
    const digest = hash && !stopped ? `sha256:${await hash.digest()}` : undefined
    return { size, compression, stopped, ...(digest ? { digest } : {}) }
  } finally {
    hash?.close()
  }
}

function inflater(kind: 'gzip' | 'zstd'): Transform {
  // Larger output chunks mean fewer hops between zlib's thread and the parser, and a few MiB of room
  // lets zlib inflate ahead while the parser works instead of waiting for each chunk to be taken.
  const opts = { chunkSize: 256 << 10, highWaterMark: 4 << 20 }
  return kind === 'gzip' ? createGunzip(opts) : createZstdDecompress(opts)
}
