// The descriptor tree of an image (index → manifests → config and layers) with presence, read from the
// store. Unlike the core walker it never stops at a missing blob: a partial image is exactly what the
// UI must show, so a missing node is kept, marked, and has no children.
import type { Provider } from '../core/content/provider'
import type { Descriptor, ImageConfig, Platform } from '../core/oci'
import { decodeIndex, decodeManifest } from '../core/images/documents'
import { formatAll } from '../core/platforms/format'
import { normalize } from '../core/platforms/normalize'
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

export async function readJson<T>(src: TreeSource, d: Descriptor): Promise<T | null> {
  if (!src.present(d.digest) || d.size > MAX_JSON) return null
  try {
    return JSON.parse(Buffer.from(await src.provider.readBlob(d)).toString('utf8')) as T
  } catch {
    return null
  }
}

export interface TreeOptions {
  /** Read configs only where the platform is not known otherwise (summaries need no diff IDs). */
  lean?: boolean
}

export async function buildTree(
  src: TreeSource,
  target: Descriptor,
  opts: TreeOptions = {},
  depth = 0,
): Promise<DescriptorNode> {
  const node = leaf(src, target)
  if (!node.present || depth > 8) return node
  if (isIndex(target.mediaType)) {
    const raw = await readJson<Record<string, unknown>>(src, target)
    const index = raw ? decoded(() => decodeIndex(raw, target.digest)) : null
    for (const m of index?.manifests ?? []) node.children.push(await buildTree(src, m, opts, depth + 1))
  } else if (isManifest(target.mediaType)) {
    const raw = await readJson<Record<string, unknown>>(src, target)
    const manifest = raw ? decoded(() => decodeManifest(raw, target.digest)) : null
    if (manifest?.config) {
      const config = leaf(src, manifest.config)
      node.children.push(config)
      const wanted = !opts.lean || (!node.platform && node.kind === 'manifest')
      const cfg =
        wanted && isConfig(manifest.config.mediaType)
          ? await readJson<ImageConfig>(src, manifest.config)
          : null
      if (cfg && !node.platform && node.kind === 'manifest') setPlatform(node, configPlatform(cfg))
      const diffIds = cfg?.rootfs?.diff_ids ?? []
      manifest.layers?.forEach((l, i) => {
        const layer = leaf(src, l)
        if (diffIds[i]) layer.diffId = diffIds[i]
        node.children.push(layer)
      })
    }
  }
  return node
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
