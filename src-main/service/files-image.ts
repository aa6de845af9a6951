// Which manifest of an image the Files view and `berth images files` look into, and what its layers are:
// descriptors, diff IDs, presence, and the history entries that made them (empty ones included, as
// `docker history` lists them). The platform is chosen as the details view chooses it: by manifest
// digest, by a platform specifier (the best match, as `--platform` picks everywhere), or this machine's
// best match.
import { readManifest } from '../core/images/documents'
import { invalidArgument, notFound } from '../core/errors'
import type { ImageLayer } from '../core/files/index-image'
import { LABEL_UNCOMPRESSED } from '../core/labels'
import { validateNamespace } from '../core/namespace'
import type { Descriptor, ImageConfig, Platform } from '../core/oci'
import { defaultMatcher, hostPlatform, ordered, parse } from '../core/platforms'
import type { MatchComparer } from '../core/platforms/types'
import type { DescriptorNode, FileHistoryEntry, FilesImageRef } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { platformManifests } from './matrix'
import { isLayer } from './mediatypes'
import { treeSource } from './summaries'
import { buildTree, readJson } from './tree'

export interface ResolvedImage {
  namespace: string
  name: string
  platform: string
  manifest: Descriptor
  config: Descriptor
  platforms: { platform: string; manifestDigest: string }[]
  layers: (ImageLayer & { present: boolean })[]
  history: FileHistoryEntry[]
  /** The history entry of each layer, by layer index. */
  layerHistory: (FileHistoryEntry | undefined)[]
  /** Why the layers cannot be indexed, or null. */
  blocked: string | null
}

const UNCOMPRESSED = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar',
])

export async function resolveImage(ctx: ServiceContext, ref: FilesImageRef): Promise<ResolvedImage> {
  const ns = validateNamespace(ref.namespace)
  const image = ctx.images.get(ns, ref.name)
  const src = treeSource(ctx, ns)
  const tree = await buildTree(src, image.target, { lean: true })
  const manifests = tree.kind === 'manifest' ? [tree] : platformManifests(tree)
  const chosen = choose(ctx, manifests, ref)
  if (!chosen) throw notFound(`image ${ref.name} has no platform manifest to look into`)
  const manifestDesc: Descriptor = { mediaType: chosen.mediaType, digest: chosen.digest, size: chosen.size }
  if (!chosen.present)
    throw notFound(`manifest ${chosen.digest} of ${ref.name} is not in the store: pull or import it first`)
  const provider = ctx.content.provider(ns)
  const manifest = await readManifest(provider, manifestDesc, 'files')
  const cfg = await readJson<ImageConfig>(src, manifest.config)
  if (!cfg) throw notFound(`config ${manifest.config.digest} of ${ref.name} is not in the store or not JSON`)
  const diffIds = cfg.rootfs?.diff_ids ?? []
  const layerDescs = manifest.layers.filter((l) => isLayer(l.mediaType))
  let blocked: string | null = null
  if (layerDescs.length !== manifest.layers.length) {
    blocked = `manifest ${manifestDesc.digest} is not a container image: not every layer is a filesystem layer`
  } else if (diffIds.length !== layerDescs.length) {
    blocked = `the config lists ${diffIds.length} diff IDs for ${layerDescs.length} layers: the image is malformed`
  }
  const label = ctx.db
    .prepare('SELECT value FROM content_labels WHERE namespace = ? AND digest = ? AND key = ?')
    .pluck()
  const layers = layerDescs.map((desc, i) => {
    const diffId = diffIds[i] ?? ''
    const present = src.present(desc.digest)
    if (!present && !blocked)
      blocked = `layer ${i + 1} (${desc.digest}) is not in the store: pull or import the image again to see its files`
    const verified =
      (UNCOMPRESSED.has(desc.mediaType) && desc.digest === diffId) ||
      label.get(ns, desc.digest, LABEL_UNCOMPRESSED) === diffId
    return { desc, diffId, verified, present }
  })
  const { history, layerHistory } = historyOf(cfg, layers.length)
  return {
    namespace: ns,
    name: image.name,
    platform: chosen.platform ?? '',
    manifest: manifestDesc,
    config: manifest.config,
    platforms: manifests.map((m) => ({ platform: m.platform ?? '', manifestDigest: m.digest })),
    layers,
    history,
    layerHistory,
    blocked,
  }
}

function choose(
  ctx: ServiceContext,
  manifests: DescriptorNode[],
  ref: FilesImageRef,
): DescriptorNode | undefined {
  if (ref.manifest) {
    const m = manifests.find((x) => x.digest === ref.manifest)
    if (!m) throw notFound(`image ${ref.name} has no platform manifest ${ref.manifest}`)
    return m
  }
  if (manifests.length <= 1) return manifests[0]
  let matcher: MatchComparer
  if (ref.platform) {
    let p: Platform
    try {
      p = parse(ref.platform)
    } catch (e) {
      throw invalidArgument(`platform ${JSON.stringify(ref.platform)}: ${(e as Error).message}`)
    }
    matcher = ordered(p)
  } else {
    matcher = defaultMatcher(ctx.host ?? hostPlatform())
  }
  const candidates = manifests.filter((m) => m.platformParts && matcher.match(m.platformParts as Platform))
  if (candidates.length === 0) {
    if (ref.platform) throw notFound(`image ${ref.name} has no manifest for platform ${ref.platform}`)
    return manifests[0]
  }
  return candidates.reduce((best, m) =>
    matcher.less(m.platformParts as Platform, best.platformParts as Platform) ? m : best,
  )
}

/** History oldest first; each entry that is not an empty layer belongs to the next layer in order. */
function historyOf(
  cfg: ImageConfig,
  layers: number,
): {
  history: FileHistoryEntry[]
  layerHistory: (FileHistoryEntry | undefined)[]
} {
  const history: FileHistoryEntry[] = []
  const layerHistory: (FileHistoryEntry | undefined)[] = new Array(layers)
  let next = 0
  for (const h of cfg.history ?? []) {
    const empty = h.empty_layer === true
    const e: FileHistoryEntry = {
      command: h.created_by ?? '',
      created: h.created ?? null,
      comment: h.comment ?? null,
      emptyLayer: empty,
      layer: empty || next >= layers ? null : next,
    }
    if (!empty && next < layers) layerHistory[next++] = e
    history.push(e)
  }
  return { history, layerHistory }
}
