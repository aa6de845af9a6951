// Label rules and well-known label names (containerd pkg/labels, core/metadata/gc.go, core/images).

import { invalidArgument } from './errors'

/** Labels under these prefixes are interpreted by containerd and must not be copied from untrusted input. */
export const RESERVED_PREFIX = 'containerd.io/'
export const CRI_CONTAINERD_PREFIX = 'io.cri-containerd'

// Content and namespace labels.
/** On a compressed layer blob: the digest of its uncompressed tar (the diffID). */
export const LABEL_UNCOMPRESSED = 'containerd.io/uncompressed'
/** On a namespace: `true` makes its content shareable under the isolated policy. */
export const LABEL_NAMESPACE_SHAREABLE = 'containerd.io/namespace.shareable'
/** Upstream's name for LABEL_NAMESPACE_SHAREABLE. */
export const LABEL_SHARED_NAMESPACE = LABEL_NAMESPACE_SHAREABLE
/** Without the trailing dot, as upstream's LabelDistributionSource; keys are `<this>.<registry host>`. */
export const LABEL_DISTRIBUTION_SOURCE = 'containerd.io/distribution.source'
export const LABEL_DISTRIBUTION_SOURCE_PREFIX = 'containerd.io/distribution.source.'

// Garbage-collection labels (core/metadata/gc.go).
/** Any key starting with this marks a content blob or snapshot as a root. */
export const LABEL_GC_ROOT = 'containerd.io/gc.root'
export const LABEL_GC_REF_PREFIX = 'containerd.io/gc.ref.'
/** The key equals this or continues with `.` or `/`; the value is a content digest to keep alive. */
export const LABEL_GC_REF_CONTENT = 'containerd.io/gc.ref.content'
export const LABEL_GC_REF_CONTENT_CONFIG = 'containerd.io/gc.ref.content.config'
export const LABEL_GC_REF_CONTENT_LAYER_PREFIX = 'containerd.io/gc.ref.content.l.'
export const LABEL_GC_REF_CONTENT_MANIFEST_PREFIX = 'containerd.io/gc.ref.content.m.'
/** Followed by the referrer's first 12 hex digits. */
export const LABEL_GC_REF_CONTENT_REFERRER_PREFIX = 'containerd.io/gc.ref.content.referrer.sha256.'
/** The catch-all child prefix (nested indexes, unknown types), followed by a counter. */
export const LABEL_GC_REF_CONTENT_PREFIX = 'containerd.io/gc.ref.content.'
/** Followed by `<snapshotter>[/suffix]`; the value is a snapshot key. */
export const LABEL_GC_REF_SNAPSHOT_PREFIX = 'containerd.io/gc.ref.snapshot.'
export const LABEL_GC_REF_IMAGE = 'containerd.io/gc.ref.image'
export const LABEL_GC_BREF_CONTAINER = 'containerd.io/gc.bref.container'
export const LABEL_GC_BREF_CONTENT = 'containerd.io/gc.bref.content'
export const LABEL_GC_BREF_IMAGE = 'containerd.io/gc.bref.image'
export const LABEL_GC_BREF_SNAPSHOT_PREFIX = 'containerd.io/gc.bref.snapshot.'
/** RFC3339 time after which an image or lease is collectible. */
export const LABEL_GC_EXPIRE = 'containerd.io/gc.expire'
/** On a lease: only the directly referenced objects are leased, not what they reference. */
export const LABEL_GC_FLAT = 'containerd.io/gc.flat'
export const LABEL_GC_COND_SNAPSHOT = 'containerd.io/gc.cond.snapshot'
export const LABEL_GC_COND_VALUE_USEDAT = 'containerd.io/gc.cond.value-usedat'

// Annotations on descriptors (core/images/annotations.go, OCI image-spec).
/** On a descriptor in an exported index.json: the containerd image name. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name'
/** On a descriptor: it is a referrer of the named subject manifest. */
export const ANNOTATION_MANIFEST_SUBJECT = 'io.containerd.manifest.subject'
export const ANNOTATION_OCI_REF_NAME = 'org.opencontainers.image.ref.name'

const MAX_SIZE = 4096
/** How much of an offending key an error message quotes, in bytes. */
const KEY_MAX_LEN = 64

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: false })

/**
 * Throws InvalidArgument when key and value together exceed 4096 UTF-8 bytes. Nothing else is checked:
 * empty keys and values, and any characters, are valid.
 */
export function validateLabel(key: string, value: string): void {
  const keyBytes = encoder.encode(key)
  const total = keyBytes.length + Buffer.byteLength(value, 'utf8')
  if (total <= MAX_SIZE) return
  // Upstream cuts at a byte, which may split a character; the broken tail prints as U+FFFD.
  const shown = keyBytes.length > KEY_MAX_LEN ? decoder.decode(keyBytes.subarray(0, KEY_MAX_LEN)) : key
  throw invalidArgument(
    `label key and value length (${total} bytes) greater than maximum size (${MAX_SIZE} bytes), ` +
      `key: ${shown}: invalid argument`,
  )
}

/**
 * Validates every label of a map in its order, prefixing the first failure with `prefix` the way the
 * metadata stores do (`image.Labels`, `info.Labels`).
 */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, prefix: string): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    try {
      validateLabel(k, v)
    } catch (e) {
      throw invalidArgument(`${prefix}: ${(e as Error).message}`, e)
    }
  }
}

/** A plain prefix test: `io.cri-containerdfoo` is reserved, `containerd.io` is not. */
export function isReservedLabel(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX) || key.startsWith(CRI_CONTAINERD_PREFIX)
}
