// Removing images as one use case for the CLI (`berth images rm`) and the app (Delete), as
// `ctr images rm` does: each name (resolved as every lookup is) is deleted, all in one transaction;
// names that do not exist are reported in `notFound`, which is no error. With `sync` — containerd's
// SynchronousDelete, and what the app's Delete always asks — a garbage collection runs before returning
// and `freed` says what it removed (garbage from before included). Without it, the bytes go at the
// next collection.
import { isKind } from '../core/errors'
import { validateNamespace } from '../core/namespace'
import { collectGarbage } from './collect'
import type { ServiceContext } from './context'
import { resolveImage } from './resolve-name'

export interface Removal {
  removed: string[]
  notFound: string[]
  /** With sync: what the collection freed. */
  freed?: { bytes: number; blobs: number }
}

export function removeImages(
  ctx: ServiceContext,
  nsIn: string,
  names: string[],
  opts: { sync?: boolean } = {},
): Removal {
  const ns = validateNamespace(nsIn)
  const out: Removal = { removed: [], notFound: [] }
  ctx.images.transaction(() => {
    for (const n of names) {
      let name: string
      try {
        name = resolveImage(ctx, ns, n).name
      } catch (e) {
        if (!isKind(e, 'not-found')) throw e
        out.notFound.push(n)
        continue
      }
      ctx.images.delete(ns, name)
      out.removed.push(name)
    }
  })
  if (opts.sync) {
    const r = collectGarbage(ctx)
    out.freed = { bytes: r.bytesFreed, blobs: r.blobsDeleted }
  }
  return out
}
