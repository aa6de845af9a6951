// Garbage collection as the app offers it: a preview first (a dry run), then the run; and image
// removal, whose "bytes freed" is a dry run of the collection as it would be without those images.
import { writeTx } from '../core/db'
import { gc, type GcResult } from '../core/gc'
import { validateNamespace } from '../core/namespace'
import type { GcReport, ReclaimPreview, RemoveRequest, RemoveResult } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { removeImages as removeNamed } from './remove'

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

class Rollback extends Error {
  constructor(readonly result: GcResult) {
    super('rollback')
  }
}

/** What a collection would free beyond today's garbage if these images were gone. Changes nothing. */
export function removePreview(ctx: ServiceContext, req: RemoveRequest): ReclaimPreview {
  const ns = validateNamespace(req.namespace)
  for (const n of req.names) ctx.images.get(ns, n) // NotFound names the image
  const baseline = gc(ctx.db, { root: ctx.storeRoot, dryRun: true, now: ctx.now })
  let after: GcResult
  try {
    // It deletes (then rolls back), so it takes the write lock up front like every write.
    writeTx(ctx.db, 'previewing what removing the images frees', () => {
      const del = ctx.db.prepare('DELETE FROM images WHERE namespace = ? AND name = ?')
      for (const n of req.names) del.run(ns, n)
      throw new Rollback(gc(ctx.db, { root: ctx.storeRoot, dryRun: true, now: ctx.now }))
    })
    throw new Error('unreachable')
  } catch (e) {
    if (!(e instanceof Rollback)) throw e
    after = e.result
  }
  return {
    names: req.names,
    reclaimBytes: Math.max(0, after.bytesFreed - baseline.bytesFreed),
    blobs: Math.max(0, after.blobsDeleted - baseline.blobsDeleted),
  }
}

/** Deletes the images, then collects (containerd's synchronous delete), reporting what was freed. */
export function removeImages(ctx: ServiceContext, req: RemoveRequest): RemoveResult {
  const ns = validateNamespace(req.namespace)
  // The app deletes what it showed: a name gone meanwhile fails the whole request.
  for (const n of req.names) ctx.images.get(ns, n)
  const r = removeNamed(ctx, ns, req.names, { sync: true })
  return { removed: r.removed, reclaimedBytes: r.freed?.bytes ?? 0, blobs: r.freed?.blobs ?? 0 }
}
