// From a reference to a descriptor: HEAD on the manifest (GET when the registry will not say the
// digest), with an Accept list of every manifest and index type; Docker-Content-Digest checked
// against what was asked and what arrived; manifests above containerd's limit refused.
import { digestOf } from '../../digest'
import { notImplemented, notFound, unavailable } from '../../errors'
import { MAX_MANIFEST_SIZE } from '../../images/mediatypes'
import {
  MediaTypeDockerManifest,
  MediaTypeDockerManifestList,
  MediaTypeDockerSchema1Manifest,
  MediaTypeDockerSchema1ManifestUnsigned,
  MediaTypeOCIIndex,
  MediaTypeOCIManifest,
  isDigest,
  type Descriptor,
  type Digest,
  type DigestAlgorithm,
} from '../../oci'
import { pullScope } from './auth'
import type { RegistryClient } from './client'
import { registryError } from './errors'
import type { Response } from './http'
import { endpointHost, formatReference, manifestSelector, type Reference } from './reference'

export { MAX_MANIFEST_SIZE }

export const MANIFEST_ACCEPT = [
  MediaTypeOCIIndex,
  MediaTypeOCIManifest,
  MediaTypeDockerManifestList,
  MediaTypeDockerManifest,
  '*/*',
].join(', ')

export function manifestPath(ref: Reference, selector = manifestSelector(ref)): string {
  return `/v2/${ref.path}/manifests/${selector}`
}

export function blobPath(path: string, digest: Digest): string {
  return `/v2/${path}/blobs/${digest}`
}

function mediaTypeOf(res: Response, body?: Uint8Array): string {
  const ct = (res.header('content-type') ?? '').split(';')[0].trim()
  if (body) {
    // The document's own mediaType beats a generic Content-Type (some servers send application/json).
    try {
      const j = JSON.parse(Buffer.from(body).toString('utf8')) as { mediaType?: unknown; manifests?: unknown }
      if (typeof j.mediaType === 'string' && j.mediaType !== '') return j.mediaType
      if (ct === '' || ct === 'application/json' || ct === 'text/plain') {
        return Array.isArray(j.manifests) ? MediaTypeOCIIndex : MediaTypeOCIManifest
      }
    } catch {
      // Not JSON: validated later by whoever parses it.
    }
  }
  return ct
}

function refuseSchema1(mediaType: string, what: string): void {
  if (mediaType === MediaTypeDockerSchema1Manifest || mediaType === MediaTypeDockerSchema1ManifestUnsigned) {
    throw notImplemented(`${what}: Docker schema 1 manifests are no longer supported since containerd v2.0`)
  }
}

function checkSize(size: number, what: string): void {
  if (size > MAX_MANIFEST_SIZE)
    throw notFound(`${what}: rejecting ${size} byte manifest (limit ${MAX_MANIFEST_SIZE})`)
}

export interface Resolved {
  /** Canonical name, e.g. `docker.io/library/nginx:latest`. */
  name: string
  desc: Descriptor
  /** The manifest bytes, when the GET already brought them (saves a second request). */
  body?: Uint8Array
}

/** Resolves `ref` on its registry. NotFound when the registry does not know it. */
export async function resolve(
  client: RegistryClient,
  ref: Reference,
  signal?: AbortSignal,
): Promise<Resolved> {
  const host = endpointHost(ref.domain)
  const name = formatReference(ref)
  const what = `resolving ${name}`
  const scopes = [pullScope(ref.path)]
  const head = await client.call(host, manifestPath(ref), {
    method: 'HEAD',
    scopes,
    headers: { Accept: MANIFEST_ACCEPT },
    signal,
  })
  head.discard()
  if (head.status === 200) {
    const digest = head.header('docker-content-digest')
    const len = Number(head.header('content-length'))
    const mediaType = mediaTypeOf(head)
    if (
      digest &&
      isDigest(digest) &&
      Number.isSafeInteger(len) &&
      len > 0 &&
      mediaType &&
      mediaType !== 'application/json'
    ) {
      if (ref.digest && digest !== ref.digest) {
        throw unavailable(`${what}: registry answered digest ${digest} for ${ref.digest}`)
      }
      refuseSchema1(mediaType, what)
      checkSize(len, what)
      return { name, desc: { mediaType, digest, size: len } }
    }
  } else if (head.status === 404) {
    // A HEAD has no body to explain itself; the GET below reports the registry's own words.
  } else if (head.status === 401 || head.status === 403 || head.status === 429) {
    throw registryError(head.status, '', what)
  }
  const { desc, body } = await fetchManifest(client, ref, manifestSelector(ref), signal)
  return { name, desc, body }
}

/** GETs a manifest by tag or digest, verifying its digest and size limit while it arrives. */
export async function fetchManifest(
  client: RegistryClient,
  ref: Reference,
  selector: string,
  signal?: AbortSignal,
  expected?: Descriptor,
): Promise<{ desc: Descriptor; body: Uint8Array }> {
  const host = endpointHost(ref.domain)
  // A tag reads name:tag, a digest name@digest, as references spell them.
  const what = `fetching manifest ${ref.domain}/${ref.path}${isDigest(selector) ? '@' : ':'}${selector}`
  const res = await client.call(host, manifestPath(ref, selector), {
    method: 'GET',
    scopes: [pullScope(ref.path)],
    headers: { Accept: expected ? `${expected.mediaType}, ${MANIFEST_ACCEPT}` : MANIFEST_ACCEPT },
    signal,
  })
  if (res.status !== 200) throw registryError(res.status, await res.text().catch(() => ''), what)
  const len = Number(res.header('content-length'))
  if (Number.isSafeInteger(len)) checkSize(len, what)
  let body: Buffer
  try {
    body = await res.bytes(MAX_MANIFEST_SIZE)
  } catch {
    throw notFound(`${what}: rejecting manifest larger than ${MAX_MANIFEST_SIZE} bytes`)
  }
  const actual = digestOf(body)
  const want = isDigest(selector) ? selector : expected?.digest
  if (want !== undefined) {
    // The digest in the URL is the only trustworthy one; a mismatch means corruption or a lie.
    const alg = want.slice(0, want.indexOf(':')) as DigestAlgorithm
    const got = alg === 'sha256' ? actual : digestOf(body, alg)
    if (got !== want)
      throw unavailable(`${what}: content digest ${got} does not match ${want}; nothing was stored`)
  }
  const header = res.header('docker-content-digest')
  if (header && isDigest(header) && want === undefined && header.startsWith('sha256:') && header !== actual) {
    throw unavailable(
      `${what}: registry says digest ${header} but the content hashes to ${actual}; nothing was stored`,
    )
  }
  const mediaType = expected?.mediaType ?? mediaTypeOf(res, body)
  refuseSchema1(mediaType, what)
  if (expected && expected.size !== body.length) {
    throw unavailable(`${what}: expected ${expected.size} bytes, got ${body.length}`)
  }
  return { desc: { mediaType, digest: want ?? actual, size: body.length }, body }
}
