// One blob from a registry into the content store. Bytes go straight from the socket into an ingest
// writer, which hashes them as they arrive; the commit refuses anything whose digest or size differs,
// and then the ingest is dropped so a lie is never resumed. A connection lost mid-body keeps the
// ingest, and the next attempt asks only for the rest with a Range request from its offset.
import { batchedWrites } from '../../content/batched-writes'
import { isRefLocked, type ContentStore, type Writer } from '../../content/store'
import { isKind, unavailable } from '../../errors'
import { isIndexType, isManifestType, isConfigType, isLayerType } from '../../images/handlers'
import type { Descriptor } from '../../oci'
import { pullScope } from './auth'
import type { RegistryClient } from './client'
import { registryError } from './errors'
import { abortError, sleep } from './http'
import { endpointHost, type Reference } from './reference'
import { blobPath, fetchManifest } from './resolve'

export type BlobState = 'waiting' | 'downloading' | 'resuming' | 'exists' | 'done' | 'uploading' | 'mounted'

export interface BlobProgress {
  digest: string
  mediaType: string
  size: number
  /** Bytes present so far (including what a resumed ingest already had). */
  offset: number
  state: BlobState
}

export type ProgressFn = (p: BlobProgress) => void

/** containerd's ingest ref naming (remotes.MakeRefKey), so that a retried pull finds the same ingest. */
export function refKey(desc: Descriptor): string {
  const t = desc.mediaType
  if (isManifestType(t)) return `manifest-${desc.digest}`
  if (isIndexType(t)) return `index-${desc.digest}`
  if (isLayerType(t)) return `layer-${desc.digest}`
  if (isConfigType(t)) return `config-${desc.digest}`
  return `unknown-${desc.digest}`
}

export interface FetchOptions {
  client: RegistryClient
  ref: Reference
  cs: ContentStore
  ns: string
  signal?: AbortSignal
  onProgress?: ProgressFn
  /** Attempts for a blob whose connection breaks, each resuming where the last stopped. */
  attempts?: number
  /** The pull's lease: ingests and blobs are attached to it so that GC leaves them alone meanwhile. */
  lease?: string
}

/** Fetches `desc` into the store unless it is there. Returns whether bytes were downloaded. */
export async function fetchToStore(desc: Descriptor, o: FetchOptions): Promise<'fetched' | 'exists'> {
  const report = (offset: number, state: BlobState): void =>
    o.onProgress?.({ digest: desc.digest, mediaType: desc.mediaType, size: desc.size, offset, state })
  if (isManifestType(desc.mediaType) || isIndexType(desc.mediaType)) {
    if (await presentAndLeased(desc, o)) {
      report(desc.size, 'exists')
      return 'exists'
    }
    const { body } = await fetchManifest(o.client, o.ref, desc.digest, o.signal, desc)
    const w = await openWriter(o, desc)
    if (!w) {
      report(desc.size, 'exists')
      return 'exists'
    }
    try {
      // A resumed ingest may hold part of it already; documents are small, so start over.
      if ((await w.status()).offset > 0) await w.truncate(0)
      await w.write(body)
      await w.commit(desc.size, desc.digest)
    } catch (e) {
      await w.close().catch(() => {})
      if (!isKind(e, 'already-exists')) throw e
    }
    report(desc.size, 'done')
    return 'fetched'
  }
  return fetchBlob(desc, o, report)
}

/** Whether the namespace has the blob; one it has joins the pull's lease, so a GC cannot take it meanwhile. */
async function presentAndLeased(desc: Descriptor, o: FetchOptions): Promise<boolean> {
  try {
    await o.cs.info(o.ns, desc.digest, o.lease ? { lease: o.lease } : {})
    return true
  } catch (e) {
    if (isKind(e, 'not-found')) return false
    throw e
  }
}

/** How long another writer may hold a ref without its ingest growing before a pull stops waiting for it. */
const LOCK_STALL_MS = 30_000

/**
 * Opens the ingest for `desc`; undefined when the blob is already there. Only a ref held by another
 * writer (another pull of the same blob, here or in another process) is waited for, as containerd's
 * OpenWriter does, and only while that writer's ingest keeps growing; any other failure — a full disk,
 * an unwritable store — is the pull's failure at once.
 */
async function openWriter(o: FetchOptions, desc: Descriptor): Promise<Writer | undefined> {
  const ref = refKey(desc)
  let pause = 20
  let seen = -1
  let progressAt = Date.now()
  for (;;) {
    try {
      return await o.cs.writer(o.ns, {
        ref,
        desc: { size: desc.size, digest: desc.digest },
        ...(o.lease ? { lease: o.lease } : {}),
      })
    } catch (e) {
      if (isKind(e, 'already-exists')) return undefined
      if (!isRefLocked(e)) throw e
      const offset = await o.cs.status(o.ns, ref).then(
        (st) => st.offset,
        () => -1,
      )
      if (offset !== seen) {
        seen = offset
        progressAt = Date.now()
      } else if (Date.now() - progressAt > LOCK_STALL_MS) {
        throw e
      }
      await sleep(pause * (0.5 + Math.random()), o.signal)
      pause = Math.min(pause * 2, 500)
    }
  }
}

async function fetchBlob(
  desc: Descriptor,
  o: FetchOptions,
  report: (offset: number, state: BlobState) => void,
): Promise<'fetched' | 'exists'> {
  const host = endpointHost(o.ref.domain)
  const what = `fetching blob ${desc.digest} from ${o.ref.domain}/${o.ref.path}`
  const attempts = o.attempts ?? 5
  for (let attempt = 1; ; attempt++) {
    const w = await openWriter(o, desc)
    if (!w) {
      report(desc.size, 'exists')
      return 'exists'
    }
    let committed = false
    try {
      let offset = (await w.status()).offset
      if (offset > desc.size) {
        await w.truncate(0)
        offset = 0
      }
      if (offset < desc.size) offset = await download(desc, o, w, offset, host, what, report)
      try {
        await w.commit(desc.size, desc.digest)
      } catch (e) {
        if (isKind(e, 'already-exists')) {
          committed = true
          report(desc.size, 'exists')
          return 'exists'
        }
        if (isKind(e, 'failed-precondition')) {
          // Wrong bytes must not be resumed by the next attempt.
          await o.cs.abort(o.ns, refKey(desc)).catch(() => {})
          committed = true
          throw unavailable(
            `${what}: the registry sent content that does not match ${desc.digest}; nothing was stored`,
          )
        }
        throw e
      }
      committed = true
      report(desc.size, 'done')
      return 'fetched'
    } catch (e) {
      if (!committed) await w.close().catch(() => {})
      if (e instanceof Poisoned) {
        await o.cs.abort(o.ns, refKey(desc)).catch(() => {})
        throw unavailable(e.message)
      }
      if (o.signal?.aborted) throw abortError(o.signal)
      if (!(e instanceof Interrupted) || attempt >= attempts) {
        throw e instanceof Interrupted ? unavailable(`${what}: ${e.message} after ${attempt} attempts`, e) : e
      }
      await sleep(Math.min(100 * 2 ** attempt, 2000), o.signal)
    }
  }
}

/** A connection broke mid-body: the ingest keeps what arrived and the next attempt resumes. */
class Interrupted extends Error {}
/** The registry sent something false: the ingest is dropped so that nothing of it is ever kept. */
class Poisoned extends Error {}

async function download(
  desc: Descriptor,
  o: FetchOptions,
  w: Writer,
  offset: number,
  host: string,
  what: string,
  report: (offset: number, state: BlobState) => void,
): Promise<number> {
  const headers: Record<string, string> = {}
  if (offset > 0) headers.Range = `bytes=${offset}-`
  let res
  try {
    res = await o.client.call(host, blobPath(o.ref.path, desc.digest), {
      method: 'GET',
      scopes: [pullScope(o.ref.path)],
      headers,
      signal: o.signal,
    })
  } catch (e) {
    if (o.signal?.aborted) throw e
    if (isKind(e, 'unavailable')) throw new Interrupted((e as Error).message)
    throw e
  }
  if (res.status === 416) {
    // The ingest is longer than the blob or the server cannot range: start over.
    res.discard()
    await w.truncate(0)
    throw new Interrupted('range not satisfiable')
  }
  if (res.status !== 200 && res.status !== 206) {
    throw registryError(res.status, await res.text().catch(() => ''), what)
  }
  const claimed = res.header('docker-content-digest')
  if (claimed && claimed !== desc.digest) {
    res.discard()
    throw new Poisoned(`${what}: the registry says this blob is ${claimed}; nothing was stored`)
  }
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(res.header('content-range') ?? '')
    if (!m || Number(m[1]) !== offset) {
      res.discard()
      await w.truncate(0)
      throw new Interrupted('registry answered a different range')
    }
    report(offset, 'resuming')
  } else {
    if (offset > 0) await w.truncate(0)
    offset = 0
    report(0, 'downloading')
  }
  const sink = batchedWrites(w)
  let fatal: unknown
  try {
    for await (const chunk of res.body) {
      const c = chunk as Buffer
      if (offset + c.length > desc.size) {
        fatal = new Poisoned(
          `${what}: the registry sent more than the ${desc.size} bytes expected; nothing was stored`,
        )
        break
      }
      try {
        await sink.push(c)
      } catch (e) {
        fatal = e
        break
      }
      offset += c.length
      report(offset, 'downloading')
    }
  } catch (e) {
    // Only the socket throws here: a reset, a timeout, a cut. What arrived before it is kept for the
    // resume, so the batch held back is written first.
    if (fatal === undefined) await sink.flush().catch(() => {})
    if (o.signal?.aborted) throw abortError(o.signal)
    throw new Interrupted((e as Error).message)
  }
  if (fatal === undefined) {
    try {
      await sink.flush()
    } catch (e) {
      fatal = e
    }
  }
  if (fatal !== undefined) throw fatal
  if (offset < desc.size) throw new Interrupted(`connection closed at ${offset} of ${desc.size} bytes`)
  return offset
}
