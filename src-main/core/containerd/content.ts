// containerd's Content service, read side and labels: Info, Update(labels fieldpaths), List (streamed
// in batches), Read (streamed), Abort. Writing is write.ts. Shapes are the content store's own Info.
import { Readable } from 'node:stream'
import { failedPrecondition, invalidArgument, notFound } from '../errors'
import type { Info } from '../content/types'
import type { Provider } from '../content/provider'
import { isDigest, type Descriptor, type Digest } from '../oci'
import { algorithmOf, digestOf } from '../digest'
import {
  fromDate,
  sizeOf,
  toDate,
  type CallOptions,
  type ContainerdConnection,
  type Timestamp,
} from './client'

interface WireInfo {
  digest: string
  size: string | number
  createdAt: Timestamp | null
  updatedAt: Timestamp | null
  labels: Record<string, string>
}

function toInfo(w: WireInfo): Info {
  return {
    digest: w.digest,
    size: sizeOf(w.size, `blob ${w.digest}`),
    createdAt: toDate(w.createdAt),
    updatedAt: toDate(w.updatedAt),
    labels: { ...(w.labels ?? {}) },
  }
}

function checkDigest(d: string): Digest {
  if (!isDigest(d)) throw invalidArgument(`invalid digest ${JSON.stringify(String(d).slice(0, 100))}`)
  return d
}

export async function contentInfo(
  c: ContainerdConnection,
  ns: string,
  d: Digest,
  o?: CallOptions,
): Promise<Info> {
  checkDigest(d)
  const r = await c.unary<{ info: WireInfo | null }>(
    'content',
    'Info',
    ns,
    { digest: d },
    `reading info of ${d}`,
    o,
  )
  if (!r.info) throw notFound(`content ${d} not found`)
  return toInfo(r.info)
}

/** Whether the namespace holds the blob: Info, with NotFound as false. */
export async function hasContent(
  c: ContainerdConnection,
  ns: string,
  d: Digest,
  o?: CallOptions,
): Promise<boolean> {
  try {
    await contentInfo(c, ns, d, o)
    return true
  } catch (e) {
    if ((e as { kind?: string }).kind === 'not-found') return false
    throw e
  }
}

/** Only labels change: `labels` replaces them all, `labels.KEY` sets or (absent/empty) removes one. */
export async function updateContent(
  c: ContainerdConnection,
  ns: string,
  info: { digest: Digest; labels?: Record<string, string> },
  fieldpaths: string[] = [],
  o?: CallOptions,
): Promise<Info> {
  checkDigest(info.digest)
  const wire = {
    digest: info.digest,
    size: '0',
    createdAt: fromDate(new Date(0)),
    updatedAt: fromDate(new Date(0)),
    labels: info.labels ?? {},
  }
  const r = await c.unary<{ info: WireInfo }>(
    'content',
    'Update',
    ns,
    { info: wire, updateMask: fieldpaths.length ? { paths: fieldpaths } : null },
    `updating labels of ${info.digest}`,
    o,
  )
  return toInfo(r.info)
}

/** Every blob of the namespace (matching any filter), in the daemon's batches of up to 100. */
export async function* walkContent(
  c: ContainerdConnection,
  ns: string,
  filters: string[] = [],
  o?: CallOptions,
): AsyncGenerator<Info[]> {
  for await (const m of c.serverStream<{ info: WireInfo[] }>(
    'content',
    'List',
    ns,
    { filters },
    'listing content',
    o,
  ))
    yield (m.info ?? []).map(toInfo)
}

/**
 * The blob's bytes from `offset`, as containerd's Read streams them, refusing more bytes than the
 * descriptor says the blob has (a daemon that disagrees is not believed) and fewer at the end.
 */
export function readContent(
  c: ContainerdConnection,
  ns: string,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  o: CallOptions & { offset?: number } = {},
): Readable {
  return Readable.from(readChunks(c, ns, desc, o), { objectMode: false })
}

/** readContent's bytes as the messages carry them, without a stream around them (small blobs). */
async function* readChunks(
  c: ContainerdConnection,
  ns: string,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  o: CallOptions & { offset?: number } = {},
): AsyncGenerator<Buffer> {
  checkDigest(desc.digest)
  const offset = o.offset ?? 0
  const messages = c.serverStream<{ offset: string; data: Buffer }>(
    'content',
    'Read',
    ns,
    { digest: desc.digest, offset: String(offset), size: '0' },
    `reading ${desc.digest}`,
    o,
  )
  let at = offset
  for await (const m of messages) {
    const data = m.data ?? Buffer.alloc(0)
    if (at + data.length > desc.size)
      throw failedPrecondition(
        `containerd at ${c.name}: ${desc.digest} is larger than its ${desc.size} bytes`,
      )
    at += data.length
    if (data.length) yield data
  }
  if (at !== desc.size)
    throw failedPrecondition(
      `containerd at ${c.name}: ${desc.digest} ended after ${at} of its ${desc.size} bytes`,
    )
}

/**
 * The most a whole-blob read takes from a daemon. Documents (indexes, manifests, configs) are far
 * smaller — registries refuse manifests past 4 MiB — and layers are streamed, never read whole.
 */
export const MAX_DOCUMENT = 32 << 20

/** A Provider (core/content/provider.ts) over the daemon: whole blobs verified against their digest. */
export function daemonProvider(
  c: ContainerdConnection,
  ns: string,
  has: (d: Descriptor) => Promise<boolean> = (d) => hasContent(c, ns, d.digest),
): Provider {
  return {
    async readBlob(desc) {
      if (desc.size > MAX_DOCUMENT)
        throw invalidArgument(
          `${desc.digest} is ${desc.size} bytes: Berth reads blobs whole only up to ${MAX_DOCUMENT} (indexes, manifests, configs)`,
        )
      const parts: Buffer[] = []
      for await (const chunk of readChunks(c, ns, desc)) parts.push(chunk)
      const bytes = Buffer.concat(parts)
      if (digestOf(bytes, algorithmOf(desc.digest)) !== desc.digest)
        throw failedPrecondition(`containerd at ${c.name}: ${desc.digest} does not hash to its digest`)
      return bytes
    },
    has,
    readStream: async (desc) => readContent(c, ns, desc),
  }
}

export async function abortIngest(
  c: ContainerdConnection,
  ns: string,
  ref: string,
  o?: CallOptions,
): Promise<void> {
  await c.unary('content', 'Abort', ns, { ref }, `aborting ingest ${ref}`, o)
}
