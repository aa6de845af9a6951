// What a remote image offers, before anything is downloaded: its descriptor and the platforms it
// holds — what a Pull dialog shows to let the user choose. Nothing is stored.
import { digestOf } from '../../digest'
import { unavailable } from '../../errors'
import { isIndexType, isManifestType } from '../../images/handlers'
import type { Descriptor, DigestAlgorithm, Index, Manifest, Platform } from '../../oci'
import { pullScope } from './auth'
import { RegistryClient, type RegistryOptions } from './client'
import { registryError } from './errors'
import { endpointHost, parseReference, type Reference } from './reference'
import { blobPath, fetchManifest, resolve } from './resolve'

export interface RemoteImage {
  /** Canonical name, e.g. docker.io/library/nginx:latest. */
  name: string
  desc: Descriptor
  /** The index's platforms (attestations, `unknown/unknown`, left out), or the single manifest's config platform. */
  platforms: Platform[]
}

export interface InspectOptions {
  client?: RegistryClient
  registry?: RegistryOptions
  signal?: AbortSignal
}

const CONFIG_LIMIT = 1 << 20

export async function inspectRemote(refText: string, o: InspectOptions = {}): Promise<RemoteImage> {
  const ref = parseReference(refText)
  const client = o.client ?? new RegistryClient(o.registry)
  try {
    const r = await resolve(client, ref, o.signal)
    const body = r.body ?? (await fetchManifest(client, ref, r.desc.digest, o.signal, r.desc)).body
    const doc = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<Index & Manifest>
    const platforms: Platform[] = []
    if (isIndexType(r.desc.mediaType)) {
      for (const m of doc.manifests ?? []) {
        const p = m.platform
        if (p && p.os !== 'unknown' && p.architecture !== 'unknown') platforms.push(p)
      }
    } else if (isManifestType(r.desc.mediaType) && doc.config) {
      // A lone manifest names its platform only in its config: one small read.
      const c = JSON.parse((await readConfig(client, ref, doc.config, o.signal)).toString('utf8')) as {
        os?: string
        architecture?: string
        variant?: string
      }
      if (c.os && c.architecture) {
        platforms.push({
          os: c.os,
          architecture: c.architecture,
          ...(c.variant ? { variant: c.variant } : {}),
        })
      }
    }
    return { name: r.name, desc: r.desc, platforms }
  } finally {
    if (!o.client) client.close()
  }
}

async function readConfig(
  client: RegistryClient,
  ref: Reference,
  desc: Descriptor,
  signal?: AbortSignal,
): Promise<Buffer> {
  const what = `fetching config ${desc.digest} of ${ref.domain}/${ref.path}`
  if (desc.size > CONFIG_LIMIT) throw unavailable(`${what}: ${desc.size} bytes is too large for a config`)
  const res = await client.call(endpointHost(ref.domain), blobPath(ref.path, desc.digest), {
    method: 'GET',
    scopes: [pullScope(ref.path)],
    signal,
  })
  if (res.status !== 200) throw registryError(res.status, await res.text().catch(() => ''), what)
  const body = await res.bytes(CONFIG_LIMIT)
  const got = digestOf(body, desc.digest.slice(0, desc.digest.indexOf(':')) as DigestAlgorithm)
  if (got !== desc.digest) throw unavailable(`${what}: the content hashes to ${got}`)
  return body
}
