// Push as containerd's pusher does: children before parents (layers and config, then each manifest,
// the index last), skipping blobs the registry already has (HEAD), mounting from a sibling repository
// named in the blob's distribution.source label when possible, uploading the rest monolithically or
// in chunks. A registry that answers with another digest than the one sent is an error.
import { Readable } from 'node:stream'
import { blobChunks, type Provider } from '../../content/provider'
import type { ContentStore } from '../../content/store'
import { invalidArgument, isKind, notFound, unavailable } from '../../errors'
import { childrenHandler, isIndexType, isManifestType } from '../../images/handlers'
import type { ImageStore } from '../../images/store'
import type { Descriptor, Digest, Platform } from '../../oci'
import { Semaphore } from '../../semaphore'
import { pullScope, pushScope } from './auth'
import { RegistryClient, type RegistryOptions } from './client'
import { registryError } from './errors'
import type { BlobState, ProgressFn } from './fetch'
import type { Response } from './http'
import { endpointHost, formatReference, hostname, parseReference, type Reference } from './reference'
import { blobPath, manifestPath } from './resolve'
import { appendSource, mountCandidate } from './source'
import { selectPlatforms } from './subset'

export interface PushOptions {
  cs: ContentStore
  ns: string
  /** The local image to push; or give `target`. */
  name?: string
  images?: ImageStore
  target?: Descriptor
  /** Where to push; default: `name`. */
  ref?: string
  /**
   * Platforms to push; default: the image as it is. One platform pushes its manifest alone (as
   * `ctr push --platform` does), several an index of the chosen manifests (subset.ts).
   */
  platforms?: Platform[]
  client?: RegistryClient
  registry?: RegistryOptions
  /** Blobs uploaded at the same time. */
  concurrency?: number
  /** Upload blobs larger than this in PATCH chunks of this size; default: one monolithic PUT. */
  chunkSize?: number
  signal?: AbortSignal
  onProgress?: ProgressFn
}

export interface PushResult {
  name: string
  /** What the reference now names: the image's target, or the manifest or index chosen by `platforms`. */
  desc: Descriptor
  uploaded: string[]
  mounted: string[]
  skipped: string[]
}

export async function push(o: PushOptions): Promise<PushResult> {
  let target = o.target
  if (!target) {
    if (!o.name || !o.images)
      throw invalidArgument('push needs an image name and an image store, or a target')
    target = (await o.images.get(o.ns, o.name)).target
  }
  // The semaphore below only ever hands out what it starts with: 0, a negative or NaN would wait forever.
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency > 0)) {
    throw invalidArgument(`push: concurrency ${o.concurrency} must be a whole number of at least 1`)
  }
  const refText = o.ref ?? o.name
  if (!refText) throw invalidArgument('push needs a reference to push to')
  const ref = parseReference(refText)
  const stored = o.cs.provider(o.ns)
  const chosen = await selectPlatforms(stored, target, o.platforms ?? [])
  const provider = withDocuments(stored, chosen.documents)
  target = chosen.target
  if (ref.digest && ref.digest !== target.digest) {
    throw invalidArgument(`push: ${refText} names digest ${ref.digest} but the image is ${target.digest}`)
  }
  const client = o.client ?? new RegistryClient(o.registry)
  const result: PushResult = {
    name: formatReference(ref),
    desc: target,
    uploaded: [],
    mounted: [],
    skipped: [],
  }
  const children = childrenHandler(provider)
  const sem = new Semaphore(o.concurrency ?? 3)
  const done = new Map<string, Promise<void>>()
  const ctx: Ctx = { o, ref, client, host: endpointHost(ref.domain), result, provider }

  const visit = (desc: Descriptor, root: boolean): Promise<void> => {
    const key = root ? `root:${desc.digest}` : desc.digest
    let p = done.get(key)
    if (!p) {
      p = (async () => {
        const isParent = isManifestType(desc.mediaType) || isIndexType(desc.mediaType)
        if (isParent) {
          const kids = await children(desc).catch((e: unknown) => {
            if (!isKind(e, 'not-found')) throw e
            throw notFound(
              `push: ${desc.digest} is not in the local store (pulled for one platform only?): pull with --all-platforms, or push with --platform`,
              e,
            )
          })
          await Promise.all(kids.map((k) => visit(k, false)))
          await pushManifest(ctx, desc, root ? (ref.tag ?? desc.digest) : desc.digest)
        } else {
          await sem.run(() => pushBlob(ctx, desc))
        }
      })()
      done.set(key, p)
    }
    return p
  }
  try {
    await visit(target, true)
    return result
  } finally {
    if (!o.client) client.close()
  }
}

interface Ctx {
  o: PushOptions
  ref: Reference
  client: RegistryClient
  host: string
  result: PushResult
  provider: Provider
}

/** The store, with the documents a platform choice re-wrote read in place of the stored ones. */
function withDocuments(base: Provider, documents: Map<Digest, Uint8Array>): Provider {
  if (documents.size === 0) return base
  return {
    readBlob: async (desc) => documents.get(desc.digest) ?? base.readBlob(desc),
    has: async (desc) => documents.has(desc.digest) || base.has(desc),
    // Both read paths see the rewritten documents: readers that stream (bounded document reads) too.
    ...(base.readStream
      ? {
          readStream: async (desc: Descriptor) => {
            const doc = documents.get(desc.digest)
            return doc ? Readable.from([Buffer.from(doc)]) : base.readStream!(desc)
          },
        }
      : {}),
  }
}

function report(ctx: Ctx, desc: Descriptor, offset: number, state: BlobState): void {
  ctx.o.onProgress?.({ digest: desc.digest, mediaType: desc.mediaType, size: desc.size, offset, state })
}

function what(ctx: Ctx, desc: Descriptor): string {
  return `pushing ${desc.digest} to ${ctx.ref.domain}/${ctx.ref.path}`
}

async function pushManifest(ctx: Ctx, desc: Descriptor, selector: string): Promise<void> {
  const { o, ref } = ctx
  const body = await ctx.provider.readBlob(desc)
  report(ctx, desc, 0, 'uploading')
  const res = await ctx.client.call(ctx.host, manifestPath(ref, selector), {
    method: 'PUT',
    scopes: [pushScope(ref.path)],
    headers: { 'Content-Type': desc.mediaType },
    body,
    signal: o.signal,
  })
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
    throw registryError(res.status, await res.text().catch(() => ''), what(ctx, desc))
  }
  checkDigest(ctx, res, desc)
  res.discard()
  ctx.result.uploaded.push(desc.digest)
  report(ctx, desc, desc.size, 'done')
}

function checkDigest(ctx: Ctx, res: Response, desc: Descriptor): void {
  const said = res.header('docker-content-digest')
  if (said && said !== desc.digest) {
    res.discard()
    throw unavailable(`${what(ctx, desc)}: the registry stored it as ${said}`)
  }
}

function locationOf(res: Response, ctx: Ctx, desc: Descriptor): URL {
  const loc = res.header('location')
  if (!loc) throw unavailable(`${what(ctx, desc)}: the registry started an upload without a Location`)
  return new URL(loc, res.url)
}

async function pushBlob(ctx: Ctx, desc: Descriptor): Promise<void> {
  const { o, ref, client, host } = ctx
  const scopes = [pushScope(ref.path)]
  const head = await client.call(host, blobPath(ref.path, desc.digest), {
    method: 'HEAD',
    scopes,
    signal: o.signal,
  })
  head.discard()
  if (head.status === 200) {
    ctx.result.skipped.push(desc.digest)
    report(ctx, desc, desc.size, 'exists')
    await remember(ctx, desc)
    return
  }
  if (head.status !== 404) throw registryError(head.status, '', what(ctx, desc))

  let location: URL | undefined
  const info = await o.cs.info(o.ns, desc.digest).catch((e: unknown) => {
    throw isKind(e, 'not-found') ? notFound(`push: blob ${desc.digest} is not in the local store`, e) : e
  })
  const from = mountCandidate(info.labels, hostname(ref.domain), ref.path)
  if (from) {
    const q = new URLSearchParams({ mount: desc.digest, from })
    const res = await client.call(host, `/v2/${ref.path}/blobs/uploads/?${q}`, {
      method: 'POST',
      scopes: [...scopes, pullScope(from)],
      signal: o.signal,
    })
    res.discard()
    if (res.status === 201) {
      ctx.result.mounted.push(desc.digest)
      report(ctx, desc, desc.size, 'mounted')
      await remember(ctx, desc)
      return
    }
    // 202: the registry could not mount and opened an upload instead. Anything else: upload plainly.
    if (res.status === 202) location = locationOf(res, ctx, desc)
  }
  if (!location) {
    const res = await client.call(host, `/v2/${ref.path}/blobs/uploads/`, {
      method: 'POST',
      scopes,
      signal: o.signal,
    })
    if (res.status !== 202) throw registryError(res.status, await res.text().catch(() => ''), what(ctx, desc))
    res.discard()
    location = locationOf(res, ctx, desc)
  }
  report(ctx, desc, 0, 'uploading')
  const chunk = o.chunkSize
  const res =
    chunk !== undefined && chunk > 0 && desc.size > chunk
      ? await uploadChunked(ctx, desc, location, chunk)
      : await uploadMonolithic(ctx, desc, location)
  if (res.status !== 201) throw registryError(res.status, await res.text().catch(() => ''), what(ctx, desc))
  checkDigest(ctx, res, desc)
  res.discard()
  ctx.result.uploaded.push(desc.digest)
  report(ctx, desc, desc.size, 'done')
  await remember(ctx, desc)
}

/** The blob now lives in the target repository too: a later push elsewhere may mount it from here. */
async function remember(ctx: Ctx, desc: Descriptor): Promise<void> {
  await appendSource(ctx.o.cs, ctx.o.ns, desc.digest, hostname(ctx.ref.domain), ctx.ref.path).catch(() => {})
}

async function blobStream(ctx: Ctx, desc: Descriptor): Promise<Readable> {
  return Readable.from(await blobChunks(ctx.provider, desc))
}

function withDigest(location: URL, desc: Descriptor): URL {
  const u = new URL(location)
  u.searchParams.set('digest', desc.digest)
  return u
}

async function uploadMonolithic(ctx: Ctx, desc: Descriptor, location: URL): Promise<Response> {
  return ctx.client.call(ctx.host, withDigest(location, desc), {
    method: 'PUT',
    scopes: [pushScope(ctx.ref.path)],
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) },
    body: () => blobStream(ctx, desc),
    signal: ctx.o.signal,
    // An upload session is consumed by a failed PUT; retrying it blindly would only add confusion.
    retry: false,
  })
}

async function uploadChunked(
  ctx: Ctx,
  desc: Descriptor,
  location: URL,
  chunkSize: number,
): Promise<Response> {
  const scopes = [pushScope(ctx.ref.path)]
  let offset = 0
  let pending: Buffer[] = []
  let pendingLen = 0
  const send = async (): Promise<void> => {
    const data = Buffer.concat(pending, pendingLen)
    pending = []
    pendingLen = 0
    const res = await ctx.client.call(ctx.host, location, {
      method: 'PATCH',
      scopes,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${offset}-${offset + data.length - 1}`,
      },
      body: data,
      signal: ctx.o.signal,
      retry: false,
    })
    if (res.status !== 202) throw registryError(res.status, await res.text().catch(() => ''), what(ctx, desc))
    res.discard()
    location = locationOf(res, ctx, desc)
    offset += data.length
    report(ctx, desc, offset, 'uploading')
  }
  for await (const c of await blobStream(ctx, desc)) {
    let b = c as Buffer
    while (b.length > 0) {
      const take = Math.min(b.length, chunkSize - pendingLen)
      pending.push(b.subarray(0, take))
      pendingLen += take
      b = b.subarray(take)
      if (pendingLen === chunkSize) await send()
    }
  }
  if (pendingLen > 0) await send()
  return ctx.client.call(ctx.host, withDigest(location, desc), {
    method: 'PUT',
    scopes,
    headers: { 'Content-Length': '0' },
    body: new Uint8Array(0),
    signal: ctx.o.signal,
    retry: false,
  })
}
