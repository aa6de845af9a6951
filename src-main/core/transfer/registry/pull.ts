// Pull as containerd's client does: resolve, then walk the image from the registry into the content
// store (a bounded number of blobs at a time), recording where each blob came from and the gc.ref
// labels that keep children alive, all under a lease; the image record is written last, so a pull
// that fails or is cancelled leaves blobs for GC but never half an image.
import type { ContentStore } from '../../content/store'
import type { Database } from '../../db'
import { isKind } from '../../errors'
import {
  childrenHandler,
  dispatch,
  filterPlatforms,
  handlers,
  limitManifests,
  setChildrenLabels,
  type Handler,
} from '../../images/handlers'
import type { Image, ImageStore } from '../../images/store'
import { withLease } from '../../leases'
import type { Descriptor, Platform } from '../../oci'
import { any, defaultMatcher, only, type MatchComparer } from '../../platforms'
import { RegistryClient, type RegistryOptions } from './client'
import { fetchToStore, type ProgressFn } from './fetch'
import { hostname, parseReference, type Reference } from './reference'
import { resolve } from './resolve'
import { appendSource } from './source'

export interface PullOptions {
  cs: ContentStore
  images: ImageStore
  db: Database
  ns: string
  ref: string
  /** One or more platforms, or 'all'. Default: the host's best match (containerd's default matcher). */
  platforms?: Platform[] | 'all'
  /** The host platform the default is computed for (tests pin it). */
  host?: Platform
  client?: RegistryClient
  registry?: RegistryOptions
  /** Blobs downloaded at the same time. */
  concurrency?: number
  labels?: Record<string, string>
  signal?: AbortSignal
  onProgress?: ProgressFn
  onResolved?: (name: string, desc: Descriptor) => void
}

export interface PullResult {
  image: Image
  /** Bytes downloaded (blobs already present count nothing). */
  fetchedBytes: number
}

/** Which manifests a pull follows, and how many per index. */
function platformChoice(o: PullOptions): { m?: MatchComparer; limit: number } {
  if (o.platforms === 'all') return { limit: 0 }
  if (o.platforms === undefined || o.platforms.length === 0) return { m: defaultMatcher(o.host), limit: 1 }
  if (o.platforms.length === 1) return { m: only(o.platforms[0]), limit: 1 }
  return { m: any(...o.platforms), limit: 0 }
}

export async function pull(o: PullOptions): Promise<PullResult> {
  const ref: Reference = parseReference(o.ref)
  const client = o.client ?? new RegistryClient(o.registry)
  try {
    const resolved = await resolve(client, ref, o.signal)
    o.onResolved?.(resolved.name, resolved.desc)
    let fetchedBytes = 0
    const image = await withLease(o.db, o.ns, async (lease) => {
      const fetch: Handler = async (desc) => {
        const r = await fetchToStore(desc, {
          client,
          ref,
          cs: o.cs,
          ns: o.ns,
          signal: o.signal,
          onProgress: o.onProgress,
          lease,
        })
        if (r === 'fetched') fetchedBytes += desc.size
        await appendSource(o.cs, o.ns, desc.digest, hostname(ref.domain), ref.path)
        return []
      }
      const { m, limit } = platformChoice(o)
      let children: Handler = setChildrenLabels(o.cs, o.ns, childrenHandler(o.cs.provider(o.ns)))
      if (m) children = filterPlatforms(children, m)
      if (limit > 0 && m) children = limitManifests(children, m, limit)
      await dispatch(handlers(fetch, children), o.concurrency ?? 3, resolved.desc)
      if (o.signal?.aborted) throw o.signal.reason ?? new Error('cancelled')
      return createOrUpdate(o, resolved.name, resolved.desc)
    })
    return { image, fetchedBytes }
  } finally {
    if (!o.client) client.close()
  }
}

/** containerd's createNewImage: create, or replace the record that already has this name. */
async function createOrUpdate(o: PullOptions, name: string, target: Descriptor): Promise<Image> {
  const img = { name, labels: o.labels ?? {}, target }
  try {
    return await o.images.create(o.ns, img)
  } catch (e) {
    if (!isKind(e, 'already-exists')) throw e
    return await o.images.update(o.ns, img)
  }
}
