// containerd's validateImage (core/metadata/images.go): the name, then every label, then the target
// (digest, size, media type, in that order; the first failure wins). Only the target fields the store
// keeps survive: mediaType, digest, size, annotations.
import { invalidArgument, isBerthError } from '../errors'
import { validateLabel } from '../labels'
import { parseDigest, type Descriptor } from '../oci'
import type { ImageInput } from './store'

export function validateImage(image: ImageInput): ImageInput {
  if (!image || typeof image !== 'object') throw invalidArgument('image must be an object')
  if (typeof image.name !== 'string' || image.name === '')
    throw invalidArgument('image name must not be empty')
  const labels = stringMap(image.labels, 'image.Labels')
  for (const [k, v] of Object.entries(labels)) {
    try {
      validateLabel(k, v)
    } catch (e) {
      throw invalidArgument(`image.Labels: ${(e as Error).message}`, e)
    }
  }
  return { name: image.name, labels, target: validateTarget(image.target) }
}

export function validateTarget(t: Partial<Descriptor> | undefined): Descriptor {
  const target = t ?? {}
  const digest = target.digest ?? ''
  try {
    parseDigest(digest)
  } catch (e) {
    throw invalidArgument(`target.Digest ${JSON.stringify(digest)} invalid: ${reason(e)}`, e)
  }
  const size = target.size
  if (typeof size !== 'number' || !(size > 0)) throw invalidArgument('target.Size must be greater than zero')
  if (!Number.isSafeInteger(size)) throw invalidArgument(`target.Size must be an integer, not ${size}`)
  if (typeof target.mediaType !== 'string' || target.mediaType === '') {
    throw invalidArgument('target.MediaType must be set')
  }
  const out: Descriptor = { mediaType: target.mediaType, digest, size }
  // Target annotations are not size-validated (containerd does not), only type-checked.
  const annotations = stringMap(target.annotations, 'target.Annotations')
  if (Object.keys(annotations).length > 0) out.annotations = annotations
  return out
}

/** A copy holding own string entries only. Empty values are kept here; the writer drops them. */
function stringMap(m: Record<string, string> | undefined | null, what: string): Record<string, string> {
  if (m === undefined || m === null) return {}
  if (typeof m !== 'object' || Array.isArray(m)) throw invalidArgument(`${what} must be a map of strings`)
  const entries = Object.entries(m)
  for (const [k, v] of entries) {
    if (typeof v !== 'string')
      throw invalidArgument(`${what}: value of ${JSON.stringify(k)} must be a string`)
  }
  return Object.fromEntries(entries)
}

/** go-digest's own words ("invalid checksum digest format", …) without our "invalid digest …" prefix. */
function reason(e: unknown): string {
  const msg = isBerthError(e) || e instanceof Error ? e.message : String(e)
  const i = msg.lastIndexOf(': ')
  return i >= 0 ? msg.slice(i + 2) : msg
}
