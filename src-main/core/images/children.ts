// What a descriptor points at, and the platform filters that prune an index's entries while walking.
import type { Provider } from '../content/provider'
import { notFound } from '../errors'
import type { Descriptor, Platform } from '../oci'
import type { MatchComparer, Matcher } from '../platforms'
import { readIndex, readManifest, schema1Error } from './documents'
import { isIndexType, isManifestType, isSchema1Type } from './mediatypes'
import type { Handler } from './walk'

/**
 * The immediate children: a manifest's config then layers, an index's entries (nested indexes included).
 * Every other type has none. A schema 1 manifest is refused with NotImplemented rather than treated as a
 * leaf, so that a pull or size never silently stops at it.
 */
export async function children(provider: Provider, desc: Descriptor): Promise<Descriptor[]> {
  if (isManifestType(desc.mediaType)) {
    const m = await readManifest(provider, desc, 'children')
    return [m.config, ...m.layers]
  }
  if (isIndexType(desc.mediaType)) {
    return [...(await readIndex(provider, desc, 'children')).manifests]
  }
  if (isSchema1Type(desc.mediaType)) throw schema1Error(desc)
  return []
}

export function childrenHandler(provider: Provider): Handler {
  return (desc) => children(provider, desc)
}

/** Keeps children without a platform or whose platform `m` matches; no matcher keeps everything. */
export function filterPlatforms(h: Handler, m?: Matcher): Handler {
  return async (desc, signal) => {
    const kids = (await h(desc, signal)) ?? []
    if (!m) return kids
    return kids.filter((d) => !d.platform || m.match(d.platform))
  }
}

/**
 * For an index only: orders its children best-first by `m.less` (platform-less last, document order among
 * equals) and keeps the first `n`. With n > 0 an empty result is NotFound. Other parents pass through.
 */
export function limitManifests(h: Handler, m: MatchComparer, n: number): Handler {
  return async (desc, signal) => {
    let kids = (await h(desc, signal)) ?? []
    if (!isIndexType(desc.mediaType)) return kids
    kids = sortByPlatform(kids, m)
    if (n > 0) {
      if (kids.length === 0) {
        throw notFound(`no match for platform in manifest ${desc.digest}: not found`)
      }
      if (kids.length > n) kids = kids.slice(0, n)
    }
    return kids
  }
}

/** Best platform first, platform-less descriptors last; a stable sort. */
export function sortByPlatform(descs: Descriptor[], m: MatchComparer): Descriptor[] {
  return stableSort(descs, (a, b) => {
    if (!a.platform) return false
    if (!b.platform) return true
    return m.less(a.platform as Platform, b.platform as Platform)
  })
}

/**
 * Insertion sort on a strict "less": stable, and for short lists the exact order Go's sort.SliceStable
 * produces even when `less` is not a perfect ordering. Index entry lists are short.
 */
export function stableSort<T>(items: readonly T[], less: (a: T, b: T) => boolean): T[] {
  const out = [...items]
  if (out.length > 64) {
    // Quadratic time is not worth it for huge lists; any stable sort agrees on a proper ordering.
    return out.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0))
  }
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) {
      const t = out[j]
      out[j] = out[j - 1]
      out[j - 1] = t
    }
  }
  return out
}
