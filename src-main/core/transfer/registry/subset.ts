// What a push of some platforms sends. One platform: that platform's manifest alone, as
// `ctr push --platform` does. Several: an index listing only the chosen manifests, the attestations
// that describe them and any entry without a platform, with nested indexes pruned the same way; an
// index that loses entries is re-serialized (its other fields kept as they were) and so gets a new
// digest. Either way nothing pushed refers to content the push does not send, which is what a
// registry refuses ("manifest references a blob the registry does not have").
import type { Provider } from '../../content/provider'
import { digestOf } from '../../digest'
import { invalidArgument, notFound } from '../../errors'
import { readIndex, readManifest } from '../../images/documents'
import {
  ATTESTATION_REF,
  isAttestationDescriptor,
  isIndexType,
  isManifestType,
  jsonField,
  parseJSON,
} from '../../images/mediatypes'
import { MAX_INDEX_DEPTH } from '../../images/walk'
import type { Descriptor, Digest, Platform } from '../../oci'
import { configPlatform } from '../../images/image'
import { format, newMatcher, type Matcher } from '../../platforms'

export interface Selection {
  /** What the pushed reference names: the image's own target, one of its manifests, or a pruned index. */
  target: Descriptor
  /** Bodies of the pruned indexes by digest, pushed in place of the documents the store holds. */
  documents: Map<Digest, Uint8Array>
}

interface Choice {
  platforms: Platform[]
  matchers: Matcher[]
  /** Which of `platforms` matched at least one manifest. */
  matched: boolean[]
}

const bare = (d: Descriptor): Descriptor => ({ mediaType: d.mediaType, digest: d.digest, size: d.size })

function noMatch(target: Descriptor, missing: Platform[], offered: Platform[]): Error {
  const has = offered.length > 0 ? offered.map(format).join(', ') : 'no platform manifests'
  return notFound(
    `push: no match for platform ${missing.map(format).join(', ')} in ${target.digest} (it has ${has})`,
  )
}

/** The image's platform manifests in index order, nested indexes included. */
async function platformManifests(p: Provider, desc: Descriptor, depth = 0): Promise<Descriptor[]> {
  if (depth > MAX_INDEX_DEPTH) {
    throw invalidArgument(`index ${desc.digest} is nested deeper than ${MAX_INDEX_DEPTH} levels`)
  }
  const out: Descriptor[] = []
  for (const d of (await readIndex(p, desc, 'push')).manifests) {
    if (isIndexType(d.mediaType)) out.push(...(await platformManifests(p, d, depth + 1)))
    else if (isManifestType(d.mediaType) && d.platform && !isAttestationDescriptor(d)) out.push(d)
  }
  return out
}

/** `desc` with only the chosen entries (undefined when none is left), writing changed bodies to `docs`. */
async function prune(
  p: Provider,
  desc: Descriptor,
  c: Choice,
  docs: Map<Digest, Uint8Array>,
  depth: number,
): Promise<Descriptor | undefined> {
  if (depth > MAX_INDEX_DEPTH) {
    throw invalidArgument(`index ${desc.digest} is nested deeper than ${MAX_INDEX_DEPTH} levels`)
  }
  const entries = (await readIndex(p, desc, 'push')).manifests
  // Entries are kept as the document spells them, so the pruned index says what the original said.
  const raw = parseJSON(await p.readBlob(desc), `push: index ${desc.digest}`) as Record<string, unknown>
  const key =
    Object.keys(raw)
      .filter((k) => k.toLowerCase() === 'manifests')
      .pop() ?? 'manifests'
  const rawEntries = (jsonField(raw, 'manifests').value ?? []) as Record<string, unknown>[]

  const kept: (Record<string, unknown> | undefined)[] = []
  const keptManifests = new Set<string>()
  for (const [i, d] of entries.entries()) {
    if (isIndexType(d.mediaType)) {
      const sub = await prune(p, d, c, docs, depth + 1)
      kept.push(
        sub &&
          (sub.digest === d.digest
            ? rawEntries[i]
            : { ...rawEntries[i], digest: sub.digest, size: sub.size }),
      )
    } else if (isAttestationDescriptor(d)) {
      kept.push(undefined) // decided below, once the manifests it may describe are known
    } else if (!d.platform) {
      kept.push(rawEntries[i])
    } else {
      const hits = c.matchers.map((m) => m.match(d.platform!))
      hits.forEach((hit, j) => (c.matched[j] ||= hit))
      kept.push(hits.some(Boolean) ? rawEntries[i] : undefined)
      if (hits.some(Boolean)) keptManifests.add(d.digest)
    }
  }
  for (const [i, d] of entries.entries()) {
    if (isAttestationDescriptor(d) && keptManifests.has(d.annotations?.[ATTESTATION_REF] ?? '')) {
      kept[i] = rawEntries[i]
    }
  }
  if (keptManifests.size === 0 && !entries.some((d, i) => isIndexType(d.mediaType) && kept[i])) {
    return undefined
  }
  if (kept.every((e, i) => e === rawEntries[i])) return bare(desc)
  const chosen = kept.filter((e) => e !== undefined)
  const body = new TextEncoder().encode(JSON.stringify({ ...raw, [key]: chosen }))
  const digest = digestOf(body)
  docs.set(digest, body)
  return { mediaType: desc.mediaType, digest, size: body.length }
}

/** Decides what to push for `platforms` (none: everything, as it is). NotFound for a platform the image lacks. */
export async function selectPlatforms(
  p: Provider,
  target: Descriptor,
  platforms: Platform[],
): Promise<Selection> {
  const documents = new Map<Digest, Uint8Array>()
  if (platforms.length === 0) return { target, documents }
  const matchers = platforms.map((pl) => newMatcher(pl))
  if (isManifestType(target.mediaType)) {
    const own = await configPlatform(p, (await readManifest(p, target, 'push')).config)
    if (!matchers.some((m) => m.match(own))) throw noMatch(target, platforms, [own])
    return { target, documents }
  }
  if (!isIndexType(target.mediaType)) {
    throw invalidArgument(`push: ${target.digest} is a ${target.mediaType}, which has no platforms to choose`)
  }
  if (platforms.length === 1) {
    const all = await platformManifests(p, target)
    const one = all.find((d) => matchers[0].match(d.platform!))
    if (!one)
      throw noMatch(
        target,
        platforms,
        all.map((d) => d.platform!),
      )
    return { target: bare(one), documents }
  }
  const c: Choice = { platforms, matchers, matched: platforms.map(() => false) }
  const pruned = await prune(p, target, c, documents, 0)
  const missing = platforms.filter((_, i) => !c.matched[i])
  if (!pruned || missing.length > 0) {
    const all = await platformManifests(p, target)
    throw noMatch(
      target,
      missing.length > 0 ? missing : platforms,
      all.map((d) => d.platform!),
    )
  }
  return { target: pruned, documents }
}
