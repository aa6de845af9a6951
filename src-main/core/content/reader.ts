// Reading blobs back: a namespace sees only what it has a record for (containerd's checkAccess);
// embedded descriptor data is used first, as content.ReadBlob does.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { digestOf } from '../digest'
import { notFound } from '../errors'
import { validateNamespace } from '../namespace'
import { digestAlgorithm, isDigest, type Descriptor, type Digest } from '../oci'
import { blobPath, ioError } from './layout'
import type { Provider } from './provider'
import { getContent } from './records'
import type { StoreContext } from './writer'

/** desc.data when present, of desc.size bytes and hashing to desc.digest; otherwise undefined. */
export function embeddedData(desc: Descriptor): Uint8Array | undefined {
  if (typeof desc?.data !== 'string' || !isDigest(desc.digest)) return undefined
  const bytes = Buffer.from(desc.data, 'base64')
  if (bytes.length !== desc.size) return undefined
  if (digestOf(bytes, digestAlgorithm(desc.digest)) !== desc.digest) return undefined
  return bytes
}

/** The blob's path after checking this namespace may see it; NotFound otherwise. */
export function accessBlob(ctx: StoreContext, ns: string, d: Digest): string {
  if (!isDigest(d) || !getContent(ctx.db, ns, d)) throw notFound(`content digest ${String(d)}: not found`)
  return blobPath(ctx.root, d)
}

export async function readBlob(ctx: StoreContext, ns: string, desc: Descriptor): Promise<Uint8Array> {
  validateNamespace(ns)
  const embedded = embeddedData(desc)
  if (embedded) return embedded
  const path = accessBlob(ctx, ns, desc?.digest)
  try {
    return await readFile(path)
  } catch (e) {
    throw ioError(e, `reading blob ${desc.digest}`)
  }
}

export async function readStream(
  ctx: StoreContext,
  ns: string,
  desc: Descriptor,
): Promise<NodeJS.ReadableStream> {
  validateNamespace(ns)
  const path = accessBlob(ctx, ns, desc?.digest)
  const stream = createReadStream(path, { highWaterMark: 1 << 20 })
  // Surface a missing file as NotFound from this call rather than as a stream error later.
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (e) => reject(ioError(e, `reading blob ${desc.digest}`)))
  })
  return stream
}

export function storeProvider(ctx: StoreContext, ns: string): Provider {
  validateNamespace(ns)
  return {
    readBlob: (desc) => readBlob(ctx, ns, desc),
    has: (desc) =>
      Promise.resolve(isDigest(desc?.digest) && getContent(ctx.db, ns, desc.digest) !== undefined),
    readStream: (desc) => readStream(ctx, ns, desc),
  }
}
