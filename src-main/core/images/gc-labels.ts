// The garbage collector's reference labels: a parent blob names each child it keeps alive.
import type { Descriptor, Digest } from '../oci'
import { AnnotationManifestSubject, digestHex } from '../oci'
import { isKnownConfig, isLayerType, isManifestType } from './mediatypes'
import type { Handler } from './walk'

/**
 * The part of the content store this needs; the real ContentStore satisfies it. `update` merges the given
 * `labels.<key>` fieldpaths into the blob's labels.
 */
export interface LabelStore {
  info(ns: string, digest: Digest): Promise<{ labels: Record<string, string> }>
  update(
    ns: string,
    info: { digest: Digest; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): Promise<unknown>
}

export const GC_REF_CONTENT_PREFIX = 'containerd.io/gc.ref.content.'

/** Label key stems for a child; see setChildrenMappedLabels for how they get their suffixes. */
export function childGCLabels(desc: Descriptor): string[] {
  if (desc.annotations && Object.hasOwn(desc.annotations, AnnotationManifestSubject)) {
    return [`${GC_REF_CONTENT_PREFIX}referrer.sha256.`]
  }
  if (isKnownConfig(desc.mediaType)) return ['containerd.io/gc.ref.content.config']
  if (isManifestType(desc.mediaType)) return [`${GC_REF_CONTENT_PREFIX}m.`]
  if (isLayerType(desc.mediaType)) return [`${GC_REF_CONTENT_PREFIX}l.`]
  // Nested indexes, attestations and unknown types all share the generic stem.
  return [GC_REF_CONTENT_PREFIX]
}

/** childGCLabels without layers, for when layers are kept alive some other way (e.g. by snapshots). */
export function childGCLabelsFilterLayers(desc: Descriptor): string[] {
  return isLayerType(desc.mediaType) ? [] : childGCLabels(desc)
}

/** The labels a parent gets for its children, in child order, with containerd's per-stem counters. */
export function childLabels(
  kids: Descriptor[],
  mapFn: (d: Descriptor) => string[] = childGCLabels,
): Record<string, string> {
  const labels: Record<string, string> = {}
  const counters = new Map<string, number>()
  for (const child of kids) {
    for (const stem of mapFn(child) ?? []) {
      const n = counters.get(stem) ?? 0
      counters.set(stem, n + 1)
      let key = stem
      if (stem.endsWith('.sha256.')) key = stem + digestHex(child.digest).slice(0, 12)
      else if (n > 0 || stem.endsWith('.')) key = stem + String(n)
      labels[key] = child.digest
    }
  }
  return labels
}

/**
 * Wraps a children handler: when it returns children, the parent blob gets one reference label per child
 * in a single update that merges with its other labels. Default keys come from childGCLabels.
 */
export function setChildrenLabels(cs: LabelStore, ns: string, h: Handler): Handler {
  return setChildrenMappedLabels(cs, ns, h)
}

export function setChildrenMappedLabels(
  cs: LabelStore,
  ns: string,
  h: Handler,
  mapFn?: (d: Descriptor) => string[],
): Handler {
  return async (desc, signal) => {
    const kids = (await h(desc, signal)) ?? []
    if (kids.length > 0) {
      const labels = childLabels(kids, mapFn ?? childGCLabels)
      const fieldpaths = Object.keys(labels).map((k) => `labels.${k}`)
      // No keys (every child mapped to none): an update without fieldpaths would replace all labels.
      if (fieldpaths.length > 0) await cs.update(ns, { digest: desc.digest, labels }, ...fieldpaths)
    }
    return kids
  }
}
