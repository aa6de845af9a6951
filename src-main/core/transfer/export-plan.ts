// What an export writes, decided before a byte is written. An image is exported only as far as its
// content is complete: a platform whose manifest, config or a layer is missing from the store is left
// out (and reported), and an index that loses entries that way is rewritten to list only what the
// archive holds — never a file naming blobs it does not have. An image with nothing complete is an error.
// Platforms left out by choice (--platform) keep ctr's shape: the original index, their blobs not copied.
import type { Provider } from '../content/provider'
import { digestOf } from '../digest'
import { failedPrecondition, invalidArgument, notFound, unavailable } from '../errors'
import { readIndex, readManifest } from '../images/documents'
import { isIndexType, isManifestType, isNonDistributable } from '../images/mediatypes'
import { MAX_INDEX_DEPTH } from '../images/walk'
import type { ImageStore } from '../images/store'
import { AnnotationImageName, AnnotationRefName, type Descriptor, type Index, type Platform } from '../oci'
import {
  defaultMatcher,
  defaultStrict,
  format,
  ordered,
  parse as parsePlatform,
  type MatchComparer,
} from '../platforms'
import type { ManifestChoice } from './docker-manifest'
import { MAX_IMPORT_DESCRIPTORS } from './import'
import { ociReferenceName } from './names'

export interface MissingBlob {
  image: string
  digest: string
  mediaType: string
  size: number
}

/** An index entry the export left out because the store lacks some of its content. */
export interface LeftOut {
  image: string
  /** The entry's platform (`linux/arm64`), or `-` when it has none. */
  platform: string
  digest: string
  mediaType: string
  /** How many of its blobs the store lacks. */
  missing: number
}

export interface Plan {
  /** index.json's entries: each image's (possibly rewritten) target, with its name annotations. */
  entries: Descriptor[]
  /** Blobs copied from the store. */
  blobs: Map<string, Descriptor>
  /** Indexes the export rewrote, by digest: written from these bytes. */
  generated: Map<string, Buffer>
  missing: MissingBlob[]
  leftOut: LeftOut[]
  choices: ManifestChoice[]
}

export interface PlanOptions {
  allPlatforms?: boolean
  platforms?: (string | Platform)[]
  signal?: AbortSignal
}

const ATTESTATION_REF = 'vnd.docker.reference.digest'
const isUnknown = (p?: Platform) => p?.os === 'unknown' || p?.architecture === 'unknown'
const platformOf = (d: Descriptor) => (d.platform ? format(d.platform) : '-')

interface Planned {
  /** The index as the archive lists it: itself, a rewritten one, or null when nothing under it is complete. */
  listed: Descriptor | null
  /** Platform manifests exported under it, for the Docker manifest.json. */
  candidates: Descriptor[]
}

/** The planner for one export: memoized by digest, so shared entries cost one look each. */
class Planner {
  readonly plan: Plan = {
    entries: [],
    blobs: new Map(),
    generated: new Map(),
    missing: [],
    leftOut: [],
    choices: [],
  }
  private readonly missingUnder = new Map<string, Promise<number>>()
  private readonly indexes = new Map<string, Promise<Planned>>()
  private descriptors = 0

  constructor(
    readonly provider: Provider,
    readonly filter: MatchComparer | undefined,
    readonly signal: AbortSignal | undefined,
  ) {}

  private count(n: number): void {
    if ((this.descriptors += n) > MAX_IMPORT_DESCRIPTORS) {
      throw invalidArgument(
        `the images name more than ${MAX_IMPORT_DESCRIPTORS} descriptors across their indexes and manifests; refusing to export them as too complex`,
      )
    }
    if (this.signal?.aborted) throw unavailable('export: cancelled')
  }

  private noteMissing(image: string, d: Descriptor): void {
    if (!this.plan.missing.some((m) => m.digest === d.digest && m.image === image)) {
      this.plan.missing.push({ image, digest: d.digest, mediaType: d.mediaType, size: d.size })
    }
  }

  /**
   * How many blobs of a manifest (or other non-index blob) and what it names the store lacks; when none,
   * they all join the plan.
   */
  missing(image: string, d: Descriptor): Promise<number> {
    let p = this.missingUnder.get(d.digest)
    if (!p) this.missingUnder.set(d.digest, (p = this.countMissing(image, d)))
    return p
  }

  private async countMissing(image: string, d: Descriptor): Promise<number> {
    if (!(await this.provider.has(d))) {
      this.noteMissing(image, d)
      return 1
    }
    const under: Descriptor[] = []
    if (isManifestType(d.mediaType)) {
      const m = await readManifest(this.provider, d, 'export')
      under.push(m.config, ...m.layers)
      this.count(under.length)
    }
    const present: Descriptor[] = []
    let missing = 0
    for (const c of under) {
      if (await this.provider.has(c)) present.push(c)
      // Foreign layers are legitimately absent: registries serve them from their URLs.
      else if (!isNonDistributable(c.mediaType)) {
        this.noteMissing(image, c)
        missing++
      }
    }
    if (missing > 0) return missing
    for (const c of [d, ...present]) this.plan.blobs.set(c.digest, c)
    return 0
  }

  planIndex(image: string, d: Descriptor, depth: number): Promise<Planned> {
    let p = this.indexes.get(d.digest)
    if (!p) this.indexes.set(d.digest, (p = this.buildIndex(image, d, depth)))
    return p
  }

  private async buildIndex(image: string, d: Descriptor, depth: number): Promise<Planned> {
    if (depth > MAX_INDEX_DEPTH) {
      throw invalidArgument(`index ${d.digest} is nested deeper than ${MAX_INDEX_DEPTH} levels`)
    }
    const candidates: Descriptor[] = []
    if (!(await this.provider.has(d))) {
      this.noteMissing(image, d)
      return { listed: null, candidates }
    }
    const idx = await readIndex(this.provider, d, 'export')
    this.count(idx.manifests.length)
    const kept: Descriptor[] = []
    const attestations: Descriptor[] = []
    let changed = false
    let chosen = 0
    for (const m of idx.manifests) {
      if (this.filter && m.platform && !this.filter.match(m.platform)) {
        // Left out by choice: ctr keeps the entry in the index and copies none of its blobs.
        kept.push(m)
        continue
      }
      chosen++
      if (isManifestType(m.mediaType) && isUnknown(m.platform)) {
        attestations.push(m)
        continue
      }
      let listed: Descriptor | null
      if (isIndexType(m.mediaType)) {
        const sub = await this.planIndex(image, m, depth + 1)
        listed = sub.listed
        candidates.push(...sub.candidates)
        // Its own left-out entries are reported; a missing index blob was counted as missing.
        if (listed === null && !(await this.provider.has(m))) this.leaveOut(image, m, 1)
      } else {
        const n = await this.missing(image, m)
        listed = n === 0 ? m : null
        if (n > 0) this.leaveOut(image, m, n)
        else if (isManifestType(m.mediaType)) candidates.push(m)
      }
      if (listed === null) {
        changed = true
        continue
      }
      if (listed !== m) changed = true
      kept.push(listed === m ? m : { ...m, digest: listed.digest, size: listed.size })
    }
    if (this.filter && chosen === 0 && idx.manifests.length > 0) {
      throw notFound(
        `no match for platform in manifest ${d.digest} of image ${image}: use --all-platforms or another --platform`,
      )
    }
    // An attestation stays only beside the manifest it describes (else it goes silently: that
    // platform is reported already), and only when complete itself.
    const subjects = new Set(kept.map((k) => k.digest))
    for (const a of attestations) {
      const subject = a.annotations?.[ATTESTATION_REF]
      if (subject !== undefined && !subjects.has(subject)) {
        changed = true
        continue
      }
      const n = await this.missing(image, a)
      if (n === 0) kept.push(a)
      else {
        changed = true
        this.leaveOut(image, a, n)
      }
    }
    const held = kept.filter((k) => this.plan.blobs.has(k.digest) || this.plan.generated.has(k.digest))
    if (held.length === 0) return { listed: null, candidates: [] }
    if (!changed) {
      this.plan.blobs.set(d.digest, d)
      return { listed: d, candidates }
    }
    // Only what the archive holds, in the original order.
    const order = new Map(idx.manifests.map((m, i) => [m.digest, i]))
    const byOrder = (x: Descriptor) => order.get(x.digest) ?? order.size
    held.sort((a, b) => byOrder(a) - byOrder(b))
    return { listed: this.rewrite(d, idx, held), candidates }
  }

  private leaveOut(image: string, m: Descriptor, missing: number): void {
    this.plan.leftOut.push({
      image,
      platform: platformOf(m),
      digest: m.digest,
      mediaType: m.mediaType,
      missing,
    })
  }

  private rewrite(d: Descriptor, idx: Index, manifests: Descriptor[]): Descriptor {
    const doc: Record<string, unknown> = { schemaVersion: 2 }
    if (idx.mediaType) doc.mediaType = idx.mediaType
    if (idx.artifactType) doc.artifactType = idx.artifactType
    doc.manifests = manifests.map(descriptorJSON)
    if (idx.subject) doc.subject = descriptorJSON(idx.subject)
    if (idx.annotations) doc.annotations = sortedObject(idx.annotations)
    const bytes = Buffer.from(JSON.stringify(doc))
    const out: Descriptor = { mediaType: d.mediaType, digest: digestOf(bytes), size: bytes.length }
    this.plan.generated.set(out.digest, bytes)
    return out
  }
}

export function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  )
}

/** Go's json.Marshal of an ocispec.Descriptor (field order), annotations sorted for determinism. */
export function descriptorJSON(d: Descriptor): Record<string, unknown> {
  const o: Record<string, unknown> = { mediaType: d.mediaType, digest: d.digest, size: d.size }
  if (d.urls) o.urls = d.urls
  if (d.annotations) o.annotations = sortedObject(d.annotations)
  if (d.data) o.data = d.data
  if (d.platform) {
    const p = d.platform
    o.platform = {
      architecture: p.architecture,
      os: p.os,
      ...(p.osVersion ? { 'os.version': p.osVersion } : {}),
      ...(p.osFeatures?.length ? { 'os.features': p.osFeatures } : {}),
      ...(p.variant ? { variant: p.variant } : {}),
    }
  }
  if (d.artifactType) o.artifactType = d.artifactType
  return o
}

function matchers(opts: PlanOptions): { filter?: MatchComparer; chooser: MatchComparer } {
  const filter: MatchComparer | undefined = opts.allPlatforms
    ? undefined
    : opts.platforms?.length
      ? ordered(...opts.platforms.map((p) => (typeof p === 'string' ? parsePlatform(p) : p)))
      : defaultStrict()
  return { filter, chooser: filter ?? defaultMatcher() }
}

export async function planExport(
  provider: Provider,
  images: Pick<ImageStore, 'get'>,
  ns: string,
  names: string[],
  opts: PlanOptions,
): Promise<Plan> {
  const { filter, chooser } = matchers(opts)
  const planner = new Planner(provider, filter, opts.signal)
  const out = planner.plan
  const choiceOf = new Map<string, ManifestChoice>()
  const choose = (name: string, candidates: Descriptor[]) => {
    for (const c of candidates)
      if (!choiceOf.has(c.digest)) {
        const choice = { manifest: c, names: [] }
        choiceOf.set(c.digest, choice)
        out.choices.push(choice)
      }
    const ranked = candidates
      .filter((c) => c.platform && chooser.match(c.platform))
      .sort((a, b) =>
        chooser.less(a.platform!, b.platform!) ? -1 : chooser.less(b.platform!, a.platform!) ? 1 : 0,
      )
    const best = ranked[0] ?? candidates.find((c) => !c.platform)
    if (best) choiceOf.get(best.digest)!.names.push(name)
  }

  for (const name of names) {
    if (opts.signal?.aborted) throw unavailable('export: cancelled')
    const img = images.get(ns, name)
    let target: Descriptor | null
    let candidates: Descriptor[] = []
    if (isManifestType(img.target.mediaType)) {
      target = (await planner.missing(name, img.target)) === 0 ? img.target : null
      if (target) candidates = [img.target]
    } else if (isIndexType(img.target.mediaType)) {
      ;({ listed: target, candidates } = await planner.planIndex(name, img.target, 0))
    } else {
      throw invalidArgument(
        `image ${name}: only manifests and indexes can be exported (target is ${img.target.mediaType})`,
      )
    }
    if (target === null) {
      const missing = out.missing.filter((m) => m.image === name)
      throw failedPrecondition(
        `image ${name}: no platform has all its content in the store (${missing.length} blobs missing, e.g. ${missing[0]?.mediaType} ${missing[0]?.digest}); nothing to export: pull or import it again`,
      )
    }
    const entry: Descriptor = {
      ...target,
      mediaType: img.target.mediaType,
      annotations: {
        ...img.target.annotations,
        [AnnotationImageName]: name,
        [AnnotationRefName]: ociReferenceName(name),
      },
    }
    delete entry.platform
    out.entries.push(entry)
    choose(name, candidates)
  }
  return out
}
