// images.details and images.blob: one image's descriptor tree, platform matrix and parsed config, and
// the raw JSON of any of its blobs.
import { validateNamespace } from '../core/namespace'
import { invalidArgument, notFound } from '../core/errors'
import { isDigest, type Descriptor, type ImageConfig } from '../core/oci'
import { defaultMatcher, hostPlatform } from '../core/platforms'
import { formatAll } from '../core/platforms/format'
import type { BlobJson, ConfigInfo, DescriptorNode, ImageDetails } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { imageSummary } from './images-list'
import { uncompressedSizes } from './layer-sizes'
import { buildMatrix, platformManifests } from './matrix'
import { treeSource } from './summaries'
import { buildTree, MAX_JSON, nodes, readJson } from './tree'

/**
 * `signal` ends the costly part (decompressing layers to learn their sizes) when whoever asked no longer
 * wants the answer, e.g. the details view was closed.
 */
export async function imageDetails(
  ctx: ServiceContext,
  nsIn: string,
  name: string,
  opts: { signal?: AbortSignal } = {},
): Promise<ImageDetails> {
  const ns = validateNamespace(nsIn)
  const image = ctx.images.get(ns, name)
  const src = treeSource(ctx, ns)
  const tree = await buildTree(src, image.target)
  const layers: Descriptor[] = []
  for (const n of nodes(tree)) if (n.kind === 'layer' && n.present) layers.push(asDescriptor(n))
  const uncompressed = await uncompressedSizes(ctx.db, src.provider, layers, opts.signal)
  for (const n of nodes(tree)) {
    const u = uncompressed.get(n.digest)
    if (n.kind === 'layer' && u !== undefined) n.uncompressedSize = u
  }
  const host = ctx.host ?? hostPlatform()
  const matrix = buildMatrix(tree, formatAll(host), defaultMatcher(host), uncompressed)
  const summary = await imageSummary(ctx, ns, name)
  const chosen = chooseManifest(tree, matrix.cells)
  const configNode = chosen?.children.find((c) => c.kind === 'config')
  let config: ConfigInfo | null = null
  if (configNode?.present) {
    const cfg = await readJson<ImageConfig>(src, asDescriptor(configNode))
    if (cfg) config = configInfo(configNode.digest, chosen?.platform ?? '', cfg)
  }
  return { namespace: ns, summary, tree, matrix, config }
}

const asDescriptor = (n: DescriptorNode): Descriptor => ({
  mediaType: n.mediaType,
  digest: n.digest,
  size: n.size,
})

function chooseManifest(tree: DescriptorNode, cells: { best: boolean; manifestDigest: string }[]) {
  const manifests = platformManifests(tree)
  const best = cells.find((c) => c.best)
  return manifests.find((m) => m.digest === best?.manifestDigest) ?? manifests[0] ?? null
}

export function configInfo(digest: string, platform: string, cfg: ImageConfig): ConfigInfo {
  const c = cfg.config ?? {}
  return {
    digest,
    platform,
    created: cfg.created ?? null,
    author: cfg.author ?? null,
    user: c.User || null,
    workingDir: c.WorkingDir || null,
    entrypoint: c.Entrypoint ?? null,
    cmd: c.Cmd ?? null,
    env: c.Env ?? [],
    ports: Object.keys(c.ExposedPorts ?? {}),
    volumes: Object.keys(c.Volumes ?? {}),
    stopSignal: c.StopSignal ?? null,
    labels: c.Labels ?? {},
    history: (cfg.history ?? []).map((h) => ({
      created: h.created ?? null,
      createdBy: h.created_by ?? '',
      comment: h.comment ?? null,
      emptyLayer: h.empty_layer === true,
    })),
    diffIds: cfg.rootfs?.diff_ids ?? [],
  }
}

export async function blobJson(ctx: ServiceContext, nsIn: string, digest: string): Promise<BlobJson> {
  const ns = validateNamespace(nsIn)
  if (!isDigest(digest)) throw invalidArgument(`invalid digest ${JSON.stringify(digest)}`)
  const row = ctx.db
    .prepare('SELECT size FROM content WHERE namespace = ? AND digest = ?')
    .get(ns, digest) as { size: number } | undefined
  if (!row) throw notFound(`content ${digest} not found in namespace ${ns}`)
  const mediaType = mediaTypeOf(ctx, ns, digest)
  if (row.size > MAX_JSON) return { digest, mediaType, size: row.size, json: null, note: 'too large to show' }
  const bytes = await ctx.content
    .provider(ns)
    .readBlob({ digest, size: row.size, mediaType: mediaType ?? '' })
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown
    return { digest, mediaType, size: row.size, json: JSON.stringify(parsed, null, 2) }
  } catch {
    return { digest, mediaType, size: row.size, json: null, note: 'not JSON (a layer or other binary blob)' }
  }
}

/** The media type a blob is referenced with: its descriptor in some image tree, as far as summaries know. */
function mediaTypeOf(ctx: ServiceContext, ns: string, digest: string): string | null {
  const t = ctx.db
    .prepare(
      "SELECT media_type FROM image_summary_blobs WHERE namespace = ? AND digest = ? AND media_type <> '' LIMIT 1",
    )
    .pluck()
    .get(ns, digest) as string | undefined
  return t ?? null
}
