// Questions about a stored image answered by walking its content: which manifest is "the" image for a
// platform, what platforms it offers, whether its blobs are present, and how big it is.
// Semantics: containerd-semantics.md §e.4–§e.7 (containerd's core/images/image.go).
import type { Provider } from '../content/provider'
import { BerthError, invalidArgument, isKind, notFound } from '../errors'
import type { Descriptor, Digest, Manifest, Platform } from '../oci'
import { normalize } from '../platforms'
import type { MatchComparer } from '../platforms'
import { childrenHandler, filterPlatforms, limitManifests, sortByPlatform } from './children'
import { readConfigPlatform, readDiffIDs, readIndex, readManifest, schema1Error } from './documents'
import { isConfigType, isIndexType, isManifestType, isSchema1Type } from './mediatypes'
import { ErrSkipDesc, handlers, walk } from './walk'

export * from './walk'
export * from './children'
export * from './gc-labels'
export * from './mediatypes'
export type { Provider } from '../content/provider'

/** The config's platform, normalized: what a platform-less manifest is matched by. */
export async function configPlatform(p: Provider, config: Descriptor): Promise<Platform> {
  return normalize(await readConfigPlatform(p, config))
}

/**
 * The manifest for platform `m` (any, when undefined). A root manifest is taken whatever its platform. In an
 * index only the best-ranked candidate entry is followed, with no backtracking when it fails later.
 */
export async function manifest(p: Provider, target: Descriptor, m?: MatchComparer): Promise<Manifest> {
  const found: Manifest[] = []
  let wasIndex = false
  await walk(async (desc) => {
    if (isManifestType(desc.mediaType)) {
      const man = await readManifest(p, desc, 'manifest')
      if (desc.digest !== target.digest && m) {
        if (desc.platform && !m.match(desc.platform)) return []
        if (!desc.platform && !m.match(await configPlatform(p, man.config))) return []
      }
      found.push(man)
      return []
    }
    if (isIndexType(desc.mediaType)) {
      const idx = await readIndex(p, desc, 'manifest')
      if (!m) return idx.manifests
      wasIndex = true
      const candidates = idx.manifests.filter((d) => !d.platform || m.match(d.platform))
      return sortByPlatform(candidates, m).slice(0, 1)
    }
    if (isSchema1Type(desc.mediaType)) throw schema1Error(desc)
    throw notFound(`unexpected media type ${desc.mediaType} for ${desc.digest}: not found`)
  }, target)

  if (found.length === 0) {
    throw notFound(
      wasIndex
        ? `no match for platform in manifest ${target.digest}: not found`
        : `manifest ${target.digest}: not found`,
    )
  }
  return found[0]
}

/** The chosen manifest's config descriptor. */
export async function config(p: Provider, target: Descriptor, m?: MatchComparer): Promise<Descriptor> {
  return (await manifest(p, target, m)).config
}

/** The chosen manifest's config's rootfs.diff_ids. */
export async function rootFS(p: Provider, target: Descriptor, m?: MatchComparer): Promise<Digest[]> {
  return readDiffIDs(p, await config(p, target, m))
}

/**
 * Every platform the image offers, in walk order and with duplicates: descriptor platforms as written,
 * platform-less manifests by their normalized config. Attestation entries (os or arch "unknown") are left out.
 */
export async function platforms(p: Provider, target: Descriptor): Promise<Platform[]> {
  const out: Platform[] = []
  const collect = async (desc: Descriptor): Promise<Descriptor[]> => {
    if (desc.platform) {
      if (desc.platform.os !== 'unknown' && desc.platform.architecture !== 'unknown') out.push(desc.platform)
      throw ErrSkipDesc
    }
    if (isConfigType(desc.mediaType)) out.push(await configPlatform(p, desc))
    return []
  }
  await walk(handlers(collect, childrenHandler(p)), target)
  return out
}

export interface CheckResult {
  /** The required set is known; some of it may still be missing. */
  available: boolean
  required: Descriptor[]
  present: Descriptor[]
  missing: Descriptor[]
}

/**
 * Which of the chosen manifest's config and layers are present. When no manifest can be resolved (NotFound),
 * the target itself is reported missing instead of failing.
 */
export async function check(p: Provider, target: Descriptor, m?: MatchComparer): Promise<CheckResult> {
  let man: Manifest
  try {
    man = await manifest(p, target, m)
  } catch (e) {
    if (isKind(e, 'not-found'))
      return { available: false, required: [target], present: [], missing: [target] }
    throw rewrap(e, `failed to check image ${target.digest}`)
  }
  const required = [man.config, ...man.layers]
  const present: Descriptor[] = []
  const missing: Descriptor[] = []
  for (const desc of required) {
    let has: boolean
    try {
      has = await p.has(desc)
    } catch (e) {
      if (!isKind(e, 'not-found')) throw rewrap(e, `failed to check image ${desc.digest}`)
      has = false
    }
    ;(has ? present : missing).push(desc)
  }
  return { available: true, required, present, missing }
}

/**
 * Sum of the sizes of everything walked for platform `m`: index, the one best manifest per index, its config
 * and layers, duplicates counted again. Platform-less entries are counted without checking their config.
 * Without `m`, every platform is counted.
 */
export async function size(p: Provider, target: Descriptor, m?: MatchComparer): Promise<number> {
  let total = 0
  const count = async (desc: Descriptor): Promise<Descriptor[]> => {
    if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
      throw invalidArgument(`invalid size ${desc.size} in ${desc.digest} (${desc.mediaType})`)
    }
    total += desc.size
    return []
  }
  const kids = m ? limitManifests(filterPlatforms(childrenHandler(p), m), m, 1) : childrenHandler(p)
  await walk(handlers(count, kids), target)
  return total
}

function rewrap(e: unknown, prefix: string): unknown {
  return e instanceof BerthError ? new BerthError(e.kind, `${prefix}: ${e.message}`, { cause: e }) : e
}
