// sha256 of a layer's uncompressed bytes, which is what proves its diff ID. Node hashes on the calling
// thread, and the thread reading a layer is already busy parsing its tar, so the hashing can run in a
// worker thread beside it (zlib inflates in a third): each chunk is copied to the worker, a few MiB at most
// in flight. That copy is not free: with the CPU's SHA instructions (x86 SHA-NI, ARMv8 crypto) hashing a
// chunk inline costs the reading thread about what copying it to the worker does, and the copies cost two
// to three times the CPU in all. So the worker is used only where it can win: a big layer, a spare core,
// and a CPU that hashes slowly.
import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

export interface Hasher {
  update(chunk: Buffer): void | Promise<void>
  /** The hex digest of everything given. */
  digest(): Promise<string>
  /** Releases the worker (after digest, or when the read fails). */
  close(): void
}

/** Layers smaller than this are hashed inline. */
export const WORKER_MIN_BYTES = 16 << 20
const MAX_IN_FLIGHT = 8 << 20

/** Below this rate (bytes per millisecond, i.e. 1 GB/s) hashing is slow enough to be worth a worker. */
const SLOW_HASH = 1e6
let hashRate: number | undefined

/** sha256 bytes per millisecond on this CPU, measured once (a few milliseconds). */
function measuredHashRate(): number {
  if (hashRate === undefined) {
    const probe = Buffer.alloc(4 << 20, 0x5a)
    createHash('sha256')
      .update(probe.subarray(0, 64 << 10))
      .digest()
    const t = performance.now()
    createHash('sha256').update(probe).digest()
    hashRate = probe.length / Math.max(performance.now() - t, 0.001)
  }
  return hashRate
}

/** The hasher for a layer of `size` compressed bytes, as the header says. */
export function layerHasher(size: number): Hasher {
  const worker = size >= WORKER_MIN_BYTES && availableParallelism() > 2 && measuredHashRate() < SLOW_HASH
  return worker ? workerHasher() : inlineHasher()
}

export function inlineHasher(): Hasher {
  const h = createHash('sha256')
  return {
    update: (c) => void h.update(c),
    digest: async () => h.digest('hex'),
    close: () => {},
  }
}

// Evaluated as a script: no file to find next to the bundle the host runs from.
const WORKER = `
const { parentPort } = require('node:worker_threads')
const h = require('node:crypto').createHash('sha256')
parentPort.on('message', (m) => {
  if (m === null) parentPort.postMessage(h.digest('hex'))
  else { h.update(m); parentPort.postMessage(m.byteLength) }
})`

export function workerHasher(): Hasher {
  const w = new Worker(WORKER, { eval: true })
  let inFlight = 0
  let failure: Error | null = null
  let drained: (() => void) | null = null
  let digested: ((hex: string) => void) | null = null
  let failed: ((e: Error) => void) | null = null
  w.on('message', (m: number | string) => {
    if (typeof m === 'string') return digested?.(m)
    inFlight -= m
    if (inFlight <= MAX_IN_FLIGHT / 2 && drained) {
      const d = drained
      drained = null
      d()
    }
  })
  w.on('error', (e) => {
    failure = e
    failed?.(e)
    drained?.()
  })
  return {
    async update(c) {
      if (failure) throw failure
      inFlight += c.byteLength
      w.postMessage(c)
      if (inFlight > MAX_IN_FLIGHT) await new Promise<void>((r) => (drained = r))
      if (failure) throw failure
    },
    digest() {
      if (failure) return Promise.reject(failure)
      return new Promise((resolve, reject) => {
        digested = resolve
        failed = reject
        w.postMessage(null)
      })
    },
    close: () => void w.terminate(),
  }
}
