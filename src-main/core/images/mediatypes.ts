// Which media types the walker understands, and the document check every manifest/index parse goes
// through. Matches containerd's core/images/mediatypes.go and validateMediaType in image.go.
import { escapeControls } from '../quote'
import { invalidArgument, notImplemented } from '../errors'
import {
  MediaTypeContainerdCheckpoint,
  MediaTypeContainerdCheckpointConfig,
  MediaTypeDockerConfig,
  MediaTypeDockerLayer,
  MediaTypeDockerLayerForeign,
  MediaTypeDockerLayerForeignGzip,
  MediaTypeDockerLayerGzip,
  MediaTypeDockerLayerZstd,
  MediaTypeDockerManifest,
  MediaTypeDockerManifestList,
  MediaTypeDockerSchema1Manifest,
  MediaTypeDockerSchema1ManifestUnsigned,
  MediaTypeErofsLayer,
  MediaTypeInToto,
  MediaTypeOCIConfig,
  MediaTypeOCIIndex,
  MediaTypeOCILayer,
  MediaTypeOCILayerNonDistributable,
  MediaTypeOCIManifest,
} from '../oci'

export { isNonDistributable } from '../oci'

/**
 * containerd's remotes.MaxManifestSize: 4·1048·1048, deliberately not 4 MiB. The registry resolver and the
 * referrers fetch refuse larger documents; the content store does not.
 */
export const MAX_MANIFEST_SIZE = 4 * 1048 * 1048

/**
 * The largest JSON document (manifest, index, config) Berth reads out of the store: containerd's largest
 * JSON decode limit (20 MiB, its archive importer's). containerd sets none for the content store; without
 * one, a descriptor naming a multi-gigabyte blob as a config would be read whole into memory.
 */
export const MAX_DOCUMENT_SIZE = 20 << 20

/** containerd's EROFS layer type; the older name is kept for callers that used it. */
export const MediaTypeErofsLayerV1 = MediaTypeErofsLayer

const OCI_LAYER_PREFIX = 'application/vnd.oci.image.layer.'

export function isManifestType(mt: string): boolean {
  return mt === MediaTypeOCIManifest || mt === MediaTypeDockerManifest
}

export function isIndexType(mt: string): boolean {
  return mt === MediaTypeOCIIndex || mt === MediaTypeDockerManifestList
}

/** The image configs a platform can be read from; checkpoint configs are excluded. */
export function isConfigType(mt: string): boolean {
  return mt === MediaTypeOCIConfig || mt === MediaTypeDockerConfig
}

/** Config-like blobs that are never walked into, containerd's checkpoint types included. */
export function isKnownConfig(mt: string): boolean {
  return (
    isConfigType(mt) || mt === MediaTypeContainerdCheckpoint || mt === MediaTypeContainerdCheckpointConfig
  )
}

export function isAttestationType(mt: string): boolean {
  return mt === MediaTypeInToto
}

/** BuildKit lists attestation manifests with an unknown/unknown platform and these annotations. */
export const ATTESTATION_TYPE = 'vnd.docker.reference.type'
export const ATTESTATION_REF = 'vnd.docker.reference.digest'

/** An index entry that is an attestation manifest (describing another entry), not an image of a platform. */
export function isAttestationDescriptor(d: {
  annotations?: Record<string, string>
  platform?: { os: string; architecture: string }
}): boolean {
  if (d.annotations?.[ATTESTATION_TYPE] === 'attestation-manifest') return true
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown'
}

export function isSchema1Type(mt: string): boolean {
  return mt === MediaTypeDockerSchema1Manifest || mt === MediaTypeDockerSchema1ManifestUnsigned
}

export function isDockerType(mt: string): boolean {
  return mt.startsWith('application/vnd.docker.')
}

const DOCKER_LAYER_BASES = new Set([
  MediaTypeDockerLayer,
  MediaTypeDockerLayerGzip,
  MediaTypeDockerLayerForeign,
  MediaTypeDockerLayerForeignGzip,
  MediaTypeDockerLayerZstd,
])

export function isLayerType(mt: string): boolean {
  // Any OCI layer type counts, even suffixes this code has never heard of (e.g. a future v2).
  if (mt.startsWith(OCI_LAYER_PREFIX)) return true
  const { base } = splitMediaType(mt)
  return DOCKER_LAYER_BASES.has(base) || base === MediaTypeErofsLayerV1
}

/**
 * Base type and its `+` suffixes, the suffixes sorted. Like containerd, at most 50 pieces are split off;
 * the 50th keeps any remaining `+`.
 */
export function splitMediaType(mt: string): { base: string; suffixes: string[] } {
  const plus = mt.indexOf('+')
  if (plus < 0) return { base: mt, suffixes: [] }
  const parts = mt.slice(plus + 1).split('+')
  const suffixes = parts.length > 50 ? [...parts.slice(0, 49), parts.slice(49).join('+')] : parts
  suffixes.sort(byteOrder)
  return { base: mt.slice(0, plus), suffixes }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

export type DiffCompression = 'gzip' | 'zstd' | 'unknown' | ''

/**
 * The compression a layer type declares. "unknown": a Docker tar that may still be compressed (sniff the
 * bytes). "": not compressed, or wrapped in something else (encryption). NotImplemented: not a layer type
 * this table knows.
 */
export function diffCompression(mediaType: string): DiffCompression {
  const { base, suffixes } = splitMediaType(mediaType)
  const wrapped = suffixes.length > 0
  switch (base) {
    case MediaTypeDockerLayer:
    case MediaTypeDockerLayerForeign:
      return wrapped ? '' : 'unknown'
    case MediaTypeDockerLayerGzip:
    case MediaTypeDockerLayerForeignGzip:
      return wrapped ? '' : 'gzip'
    case MediaTypeDockerLayerZstd:
      return wrapped ? '' : 'zstd'
    case MediaTypeOCILayer:
    case MediaTypeOCILayerNonDistributable: {
      // containerd looks only at the last suffix after sorting, so +gzip+encrypted reads as gzip.
      const last = suffixes[suffixes.length - 1]
      return last === 'gzip' || last === 'zstd' ? last : ''
    }
    default:
      throw notImplemented(`unrecognised mediatype ${mediaType}: not a layer type with a known compression`)
  }
}

/** Go's encoding/json field lookup: the last key in document order that equals `name` case-insensitively. */
export function jsonField(obj: Record<string, unknown>, name: string): { present: boolean; value: unknown } {
  const wanted = name.toLowerCase()
  let found: string | undefined
  for (const k of Object.keys(obj)) if (k.toLowerCase() === wanted) found = k
  return found === undefined ? { present: false, value: undefined } : { present: true, value: obj[found] }
}

/** Parses JSON as Go's decoder would see it: invalid UTF-8 is replaced, a leading BOM is an error. */
export function parseJSON(body: Uint8Array, what: string): unknown {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body)
  try {
    return JSON.parse(text)
  } catch (e) {
    // V8's message quotes a piece of the document: raw, a newline in it would cut the message in two.
    throw invalidArgument(`${what}: invalid JSON: ${escapeControls((e as Error).message)}`)
  }
}

/**
 * Refuses a document whose body contradicts its declared media type, or that is schema 1. Throws
 * InvalidArgument for bad JSON or a manifest/index mix-up, NotImplemented for a schema 1 body.
 */
export function validateMediaType(body: Uint8Array, mediaType: string): void {
  checkDocument(parseJSON(body, `media-type ${mediaType}`), mediaType)
}

/** validateMediaType over an already parsed body, so callers parse once. */
export function checkDocument(doc: unknown, mediaType: string): void {
  // JSON null decodes to an empty document in Go, which passes every check.
  if (doc === null) return
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalidArgument(`media-type ${mediaType}: the document is not a JSON object`)
  }
  const obj = doc as Record<string, unknown>
  const declared = jsonField(obj, 'mediaType').value
  if (declared !== undefined && declared !== null && typeof declared !== 'string') {
    throw invalidArgument(`media-type ${mediaType}: the document's mediaType is not a string`)
  }
  const own = typeof declared === 'string' ? declared : ''
  // Raw JSON is never empty, so the mere presence of a key counts, even `[]` or `null`.
  const has = (k: string): boolean => jsonField(obj, k).present
  if (has('fsLayers')) {
    throw notImplemented(
      `media-type: schema 1 not supported (the ${mediaType} document has fsLayers); schema 1 images are no longer supported since containerd v2.0`,
    )
  }
  if (isManifestType(mediaType) && (has('manifests') || isIndexType(own))) {
    throw invalidArgument(`media-type: expected manifest but found index (${mediaType})`)
  }
  if (isIndexType(mediaType) && (has('config') || has('layers') || isManifestType(own))) {
    throw invalidArgument(`media-type: expected index but found manifest (${mediaType})`)
  }
}
