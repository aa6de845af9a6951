// The descriptor tree of an image (index → manifests → config and layers) with presence, read from the
// store. Unlike the core walker it never stops at a missing blob: a partial image is exactly what the
// UI must show, so a missing node is kept, marked, and has no children.
import type { Provider } from '../core/content/provider'
import type { Descriptor, ImageConfig, Platform } from '../core/oci'
import { decodeIndex, decodeManifest } from '../core/images/documents'
import { formatAll } from '../core/platforms/format'
import { normalize } from '../core/platforms/normalize'
import { readBounded } from '../core/images/read-bounded'
import type { DescriptorNode } from '../../src-preload/api'
import { isConfig, isIndex, isManifest, kindOf } from './mediatypes'

export interface TreeSource {
  provider: Provider
  /** Whether the namespace holds the blob (a content record exists). */
  present(digest: string): boolean
}

/**
 * The largest blob the app parses to show it as a document: 4 MiB, a little under containerd's
 * MaxManifestSize (4·1048·1048). Real manifests and configs are far smaller; bigger blobs are layers,
 * and parsing them would stall the window for nothing.
 */
export const MAX_JSON = 4 << 20

/**
 * Nodes per image tree. An index listing one manifest N times, that manifest listing one layer N times, is
 * a few hundred kilobytes of JSON but N² nodes (N = 4,500: twenty million); past this the tree is cut and
 * marked "too complex to show". Real images have tens of nodes, the largest indexes a few hundred.
 */
export const MAX_TREE_NODES = 10_000

/** The document a descriptor names, parsed, or null when absent, oversized, not what it says, or not JSON. */
export async function readJson<T>(src: TreeSource, d: Descriptor): Promise<T | null> {
  if (!src.present(d.digest) || d.size > MAX_JSON) return null
  try {
    // Bounded by the descriptor: one claiming 200 bytes for a gigabyte blob reads 201 and gives up.
    const body = await readBounded(src.provider, d, MAX_JSON, 'document')
    return JSON.parse(Buffer.from(body).toString('utf8')) as T
  } catch {
    return null
  }
}

export interface TreeOptions {
  /** Read configs only where the platform is not known otherwise (summaries need no diff IDs). */
  lean?: boolean
}

/** One tree's budget, and its documents read once each however often the tree names them. */
class Build {
  nodes = 0
  cut = false
  private readonly docs = new Map<string, Promise<unknown>>()

  constructor(
    readonly src: TreeSource,
    readonly opts: TreeOptions,
  ) {}

  doc<T>(d: Descriptor): Promise<T | null> {
    const key = `${d.digest} ${d.size}`
    let p = this.docs.get(key)
    if (!p) this.docs.set(key, (p = readJson<T>(this.src, d)))
    return p as Promise<T | null>
  }

  /** A node for `d`, or null once the budget is spent (the caller marks its parent cut). */
  leaf(d: Descriptor): DescriptorNode | null {
    if (this.nodes >= MAX_TREE_NODES) {
      this.cut = true
      return null
    }
    this.nodes++
    return leaf(this.src, d)
  }
}

export async function buildTree(
  src: TreeSource,
  target: Descriptor,
  opts: TreeOptions = {},
): Promise<DescriptorNode> {
  const b = new Build(src, opts)
  const root = b.leaf(target)!
  await grow(b, root, target, 0)
  if (b.cut) root.tooComplex = true
  return root
}

/** Adds `child` under `node`, or marks `node` as cut when the budget is spent. */
function adopt(b: Build, node: DescriptorNode, d: Descriptor): DescriptorNode | null {
  const child = b.leaf(d)
  if (child) node.children.push(child)
  else node.tooComplex = true
  return child
}

async function grow(b: Build, node: DescriptorNode, target: Descriptor, depth: number): Promise<void> {
  if (!node.present || depth > 8) return
  if (isIndex(target.mediaType)) {
    const raw = await b.doc<Record<string, unknown>>(target)
    const index = raw ? decoded(() => decodeIndex(raw, target.digest)) : null
    for (const m of index?.manifests ?? []) {
      const child = adopt(b, node, m)
      if (!child) return
      await grow(b, child, m, depth + 1)
    }
  } else if (isManifest(target.mediaType)) {
    const raw = await b.doc<Record<string, unknown>>(target)
    const manifest = raw ? decoded(() => decodeManifest(raw, target.digest)) : null
    if (!manifest?.config) return
    const config = adopt(b, node, manifest.config)
    if (!config) return
    const wanted = !b.opts.lean || (!node.platform && node.kind === 'manifest')
    const cfg =
      wanted && isConfig(manifest.config.mediaType) ? await b.doc<ImageConfig>(manifest.config) : null
    if (cfg && !node.platform && node.kind === 'manifest') setPlatform(node, configPlatform(cfg))
    const diffIds = cfg?.rootfs?.diff_ids ?? []
    for (const [i, l] of (manifest.layers ?? []).entries()) {
      const layer = adopt(b, node, l)
      if (!layer) return
      if (diffIds[i]) layer.diffId = diffIds[i]
    }
  }
}

/** The core's decoders turn JSON field names (os.version) into the model's; a malformed document is null. */
function decoded<T>(fn: () => T): T | null {
  try {
    return fn()
  } catch {
    return null
  }
}

function leaf(src: TreeSource, d: Descriptor): DescriptorNode {
  const node: DescriptorNode = {
    digest: d.digest,
    mediaType: d.mediaType,
    size: d.size,
    kind: kindOf(d),
    present: src.present(d.digest),
    children: [],
  }
  if (d.platform && node.kind !== 'attestation') setPlatform(node, d.platform)
  if (d.annotations && Object.keys(d.annotations).length > 0) node.annotations = d.annotations
  return node
}

function setPlatform(node: DescriptorNode, p: Platform): void {
  node.platform = formatAll(p)
  node.platformParts = { os: p.os, architecture: p.architecture }
  if (p.variant) node.platformParts.variant = p.variant
  if (p.osVersion) node.platformParts.osVersion = p.osVersion
}

export function configPlatform(cfg: ImageConfig): Platform {
  const p: Platform = { os: cfg.os ?? '', architecture: cfg.architecture ?? '' }
  if (cfg.variant) p.variant = cfg.variant
  if (cfg['os.version']) p.osVersion = cfg['os.version']
  if (cfg['os.features']?.length) p.osFeatures = cfg['os.features']
  return normalize(p)
}

/** Depth-first, parents before children. */
export function* nodes(root: DescriptorNode): Generator<DescriptorNode> {
  yield root
  for (const c of root.children) yield* nodes(c)
}

/** present: every blob under the node is there; partial: the node is there but something below is not. */
export function presenceOf(node: DescriptorNode): 'present' | 'partial' | 'missing' {
  if (!node.present) return 'missing'
  for (const n of nodes(node)) if (!n.present) return 'partial'
  // A manifest whose JSON could not be read has no children: treat as partial, never as complete.
  if ((node.kind === 'manifest' || node.kind === 'index') && node.children.length === 0) return 'partial'
  return 'present'
}
