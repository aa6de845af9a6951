// What the walker needs from a store: read a blob, and ask whether one is present.
import type { Descriptor } from '../oci'

export interface Provider {
  /** Honours desc.data when it is present, of desc.size bytes, and hashes to desc.digest. NotFound when absent. */
  readBlob(desc: Descriptor): Promise<Uint8Array>
  has(desc: Descriptor): Promise<boolean>
  /** Streams a blob without holding it in memory. NotFound when absent. */
  readStream?(desc: Descriptor): Promise<NodeJS.ReadableStream>
}
