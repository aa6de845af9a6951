// Image summaries: derived rows (platforms, presence, size, unique size) kept in SQLite so that a page
// of 100,000 images is one indexed query, not a walk per image. What a summary holds is derived here
// from an image's descriptor tree; when it is recomputed is summary-refresh.ts's business.
import type { DescriptorNode, PlatformChip, Presence, TargetKind } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { nodes, presenceOf, type TreeSource } from './tree'

export { refreshSummaries } from './summary-refresh'

export interface SummaryBlob {
  size: number
  present: boolean
  mediaType: string
  kind: string
}

/** What an image's tree says about it, whatever the image is called. */
export interface TreeSummary {
  targetDigest: string
  kind: TargetKind
  platforms: PlatformChip[]
  status: Presence
  /** Bytes of the distinct blobs that are present. */
  size: number
  blobs: Map<string, SummaryBlob>
}

export interface Summary extends TreeSummary {
  name: string
}

export function treeSource(ctx: ServiceContext, ns: string): TreeSource {
  const has = ctx.db.prepare('SELECT 1 FROM content WHERE namespace = ? AND digest = ?').pluck()
  const provider = ctx.content.provider(ns)
  return { provider, present: (d) => has.get(ns, d) !== undefined }
}

export function summarizeTree(tree: DescriptorNode): TreeSummary {
  const blobs = new Map<string, SummaryBlob>()
  for (const n of nodes(tree))
    blobs.set(n.digest, { size: n.size, present: n.present, mediaType: n.mediaType, kind: n.kind })
  let size = 0
  for (const b of blobs.values()) if (b.present) size += b.size
  return {
    targetDigest: tree.digest,
    kind: tree.kind === 'index' ? 'index' : tree.kind === 'manifest' ? 'manifest' : 'other',
    platforms: chips(tree),
    status: presenceOf(tree),
    size,
    blobs,
  }
}

export function summarize(name: string, tree: DescriptorNode): Summary {
  return { name, ...summarizeTree(tree) }
}

/**
 * One chip per platform manifest. `size` is what containerd's Image.Size adds up below the target for
 * that platform: the manifest, its config and its layers as their descriptors declare them, present
 * or not (ctr's SIZE column is this plus the index's own size for an index).
 */
function chips(tree: DescriptorNode): PlatformChip[] {
  const out: PlatformChip[] = []
  const visit = (n: DescriptorNode): void => {
    if (n.kind === 'index') n.children.forEach(visit)
    else if (n.kind === 'manifest' && n.platform && n.platformParts) {
      const size = n.children.reduce((a, c) => a + c.size, n.size)
      out.push({ platform: n.platform, ...n.platformParts, status: presenceOf(n), size })
    }
  }
  visit(tree)
  return out
}
