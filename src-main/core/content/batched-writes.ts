// Streams into an ingest in large writes: every path that copies a stream of small chunks into a Writer
// (a pull's socket, an archive's entries, a stream handed to writeStream) goes through one batcher.
import type { Writer } from './types'

/** Bytes gathered from a stream before one write to the ingest. */
export const WRITE_BATCH = 1 << 20

/**
 * Gathers a stream's small chunks (a socket's 64 KiB, gunzip's 16 KiB) into writes of WRITE_BATCH
 * bytes, and lets one write run while the next batch arrives: each write to an ingest costs a
 * file-system round trip and a database lookup (is the ingest still there?), so thousands of small ones
 * were a good part of a pull's or an import's time.
 * push resolves once the chunk is taken; a failed write shows at the next push or at flush.
 */
export function batchedWrites(w: Writer, batch = WRITE_BATCH) {
  let held: Uint8Array[] = []
  let heldBytes = 0
  let inFlight: Promise<unknown> = Promise.resolve()
  const send = async (): Promise<void> => {
    await inFlight
    if (heldBytes === 0) return
    const data = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes)
    held = []
    heldBytes = 0
    inFlight = w.write(data)
    // Seen by the next send or by flush; a rejection nobody awaits yet is not an unhandled one.
    inFlight.catch(() => {})
  }
  return {
    async push(c: Uint8Array): Promise<void> {
      held.push(c)
      heldBytes += c.length
      if (heldBytes >= batch) await send()
    },
    async flush(): Promise<void> {
      await send()
      await inFlight
    },
  }
}
