// Garbage collection as one use case: containerd's GC over the whole store (every namespace), blob
// files removed once no record keeps them. `berth gc`, `images rm --sync` and the app's Delete and
// Garbage collect all run this; a dry run reports the same thing and changes nothing.
import { gc, type GcResult } from '../core/gc'
import type { ServiceContext } from './context'

export type { GcResult } from '../core/gc'

export function collectGarbage(ctx: ServiceContext, opts: { dryRun?: boolean } = {}): GcResult {
  return gc(ctx.db, { root: ctx.storeRoot, dryRun: opts.dryRun ?? false, now: ctx.now })
}
