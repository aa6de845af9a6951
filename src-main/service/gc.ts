// Garbage collection as the app offers it: a preview first (a dry run), then the run; and image
// removal, whose preview (remove-preview.ts) computes what the collection would free without the images.
import { gc, type GcResult } from '../core/gc'
import { validateNamespace } from '../core/namespace'
import type { GcReport, RemoveRequest, RemoveResult } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { removeImages as removeNamed } from './remove'

export { removePreview } from './remove-preview'

function report(r: GcResult, dryRun: boolean): GcReport {
  const digests = r.removed.filter((x) => x.kind === 'content').map((x) => x.key)
  return { dryRun, blobs: r.blobsDeleted, bytes: r.bytesFreed, digests: [...new Set(digests)] }
}

export function gcPreview(ctx: ServiceContext): GcReport {
  return report(gc(ctx.db, { root: ctx.storeRoot, dryRun: true, now: ctx.now }), true)
}

export function gcRun(ctx: ServiceContext): GcReport {
  return report(gc(ctx.db, { root: ctx.storeRoot, now: ctx.now }), false)
}

/** Deletes the images, then collects (containerd's synchronous delete), reporting what was freed. */
export function removeImages(ctx: ServiceContext, req: RemoveRequest): RemoveResult {
  const ns = validateNamespace(req.namespace)
  // The app deletes what it showed: a name gone meanwhile fails the whole request.
  for (const n of req.names) ctx.images.get(ns, n)
  const r = removeNamed(ctx, ns, req.names, { sync: true })
  return { removed: r.removed, reclaimedBytes: r.freed?.bytes ?? 0, blobs: r.freed?.blobs ?? 0 }
}
