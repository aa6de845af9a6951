// images.copy: images from one source to another (Berth's store ⇄ a containerd daemon, or between two
// daemons) as a job with progress and cancel. The walk, the leases and the gc.ref labels are the core's
// copyImage; this picks the two ends and reports.
import { containerdSource, containerdTarget, berthSource, berthTarget } from '../../core/copy/ends'
import { copyImage, type CopySource, type CopyTarget } from '../../core/copy/copy'
import { invalidArgument } from '../../core/errors'
import { validateNamespace } from '../../core/namespace'
import { parse } from '../../core/platforms'
import { BERTH_SOURCE, type CopyEnd, type CopyRequest } from '../../../src-preload/api'
import { realContentStore, type ServiceContext } from '../context'
import type { JobBody } from '../jobs'
import type { Sources } from './registry'

interface Ends {
  from: CopySource
  to: CopyTarget
  /** What the target's listing needs after the copy (a daemon's mirror is synced). */
  after(): Promise<unknown>
}

function ends(ctx: ServiceContext, sources: Sources, req: CopyRequest): Ends {
  const at = (e: CopyEnd) => ({ ns: validateNamespace(e.namespace), id: e.source })
  const from = at(req.from)
  const to = at(req.to)
  if (from.id === to.id && from.ns === to.ns)
    throw invalidArgument(
      'copy: the source and the target are the same place (pick another source or namespace)',
    )
  const berth = () => ({ db: ctx.db, images: ctx.images, content: realContentStore(ctx, 'copies') })
  const daemon = (id: string) => sources.open(id).source
  const target = to.id === BERTH_SOURCE ? null : daemon(to.id)
  return {
    from:
      from.id === BERTH_SOURCE
        ? berthSource(berth(), from.ns)
        : containerdSource(daemon(from.id).conn, from.ns),
    to: target ? containerdTarget(target.conn, to.ns) : berthTarget(berth(), to.ns),
    after: async () => target?.sync(to.ns),
  }
}

/** Checks the request and picks the ends now (so a bad request fails the call, not the job). */
export function copyJob(ctx: ServiceContext, sources: Sources, req: CopyRequest): JobBody {
  if (req.names.length === 0) throw invalidArgument('copy: name at least one image')
  const platforms = (req.platforms ?? []).map((p) => parse(p))
  const e = ends(ctx, sources, req)
  return async (signal, progress) => {
    let base = { done: 0, total: 0 }
    try {
      for (const name of req.names) {
        const r = await copyImage(e.from, e.to, name, {
          platforms,
          signal,
          onProgress: (p) => progress(`copying ${name}`, base.done + p.done, base.total + p.total, p.blobs),
        })
        base = { done: base.done + r.bytesWritten, total: base.total + r.bytesWritten }
      }
    } finally {
      await e.after().catch(() => undefined)
    }
    return { images: req.names }
  }
}
