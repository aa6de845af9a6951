// What the walker needs from a store: read a blob, and ask whether one is present.
import type { Descriptor } from '../oci'

export interface Provider {
  /** Honours desc.data when it is present, of desc.size bytes, and hashes to desc.digest. NotFound when absent. */
  readBlob(desc: Descriptor): Promise<Uint8Array>
  has(desc: Descriptor): Promise<boolean>
  /** Streams a blob without holding it in memory. NotFound when absent. */
  readStream?(desc: Descriptor): Promise<NodeJS.ReadableStream>
}

/**
 * A blob's bytes in chunks: streamed from disk when the provider can, so a layer is never held whole;
 * providers without readStream (in-memory ones) hold it already, and are sliced to stream-sized chunks.
 */
export async function blobChunks(p: Provider, desc: Descriptor): Promise<AsyncIterable<Uint8Array>> {
  if (p.readStream) return (await p.readStream(desc)) as AsyncIterable<Uint8Array>
  const whole = await p.readBlob(desc)
  return (async function* () {
    for (let i = 0; i < whole.length; i += 1 << 20) yield whole.subarray(i, i + (1 << 20))
  })()
}
