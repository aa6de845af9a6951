// Copying images between sources (Berth's store ⇄ a containerd daemon, or between two daemons): the
// app's images.copy job and the CLI's `images send` / `images receive` both run copyImages. The walk,
// the leases and the gc.ref labels are the core's copyImage; this picks the two ends and reports.
import { containerdSource, containerdTarget, berthSource, berthTarget } from '../../core/copy/ends'
import { copyImage, type CopySource, type CopyTarget } from '../../core/copy/copy'
import { invalidArgument } from '../../core/errors'
import { validateNamespace } from '../../core/namespace'
import { parse } from '../../core/platforms'
import { BERTH_SOURCE, type CopyEnd, type CopyRequest, type JobBlob } from '../../../src-preload/api'
import { realContentStore, type ServiceContext } from '../context'
import type { JobBody } from '../jobs'
import type { ContainerdSource } from './containerd-source'

export interface CopyPlan {
  from: CopySource
  to: CopyTarget
  names: string[]
  platforms: ReturnType<typeof parse>[]
  /** What the target's listing needs afterwards (a daemon's mirror is synced). */
  after(): Promise<unknown>
}

/**
 * Checks the request and picks the ends, so that a bad request fails before any byte moves. `daemon`
 * opens the containerd source a CopyEnd names; one with `sync` has its mirror synced afterwards (the
 * app's list shows the copy at once; the CLI, which has no list open, leaves that to the next look).
 */
export function planCopy(
  ctx: ServiceContext,
  daemon: (id: string) => Pick<ContainerdSource, 'conn'> & Partial<Pick<ContainerdSource, 'sync'>>,
  req: CopyRequest,
): CopyPlan {
  if (req.names.length === 0) throw invalidArgument('copy: name at least one image')
  const at = (e: CopyEnd) => ({ ns: validateNamespace(e.namespace), id: e.source })
  const from = at(req.from)
  const to = at(req.to)
  if (from.id === to.id && from.ns === to.ns)
    throw invalidArgument(
      'copy: the source and the target are the same place (pick another source or namespace)',
    )
  const berth = () => ({ db: ctx.db, images: ctx.images, content: realContentStore(ctx, 'copies') })
  const target = to.id === BERTH_SOURCE ? null : daemon(to.id)
  return {
    from:
      from.id === BERTH_SOURCE
        ? berthSource(berth(), from.ns)
        : containerdSource(daemon(from.id).conn, from.ns),
    to: target ? containerdTarget(target.conn, to.ns) : berthTarget(berth(), to.ns),
    names: req.names,
    platforms: (req.platforms ?? []).map((p) => parse(p)),
    after: async () => target?.sync?.(to.ns),
  }
}

export type CopyReport = (phase: string, done: number, total: number, blobs: JobBlob[]) => void

/** Copies the plan's images one after the other; progress counts bytes over all of them. */
export async function copyImages(plan: CopyPlan, signal: AbortSignal, report: CopyReport): Promise<string[]> {
  let base = 0
  try {
    for (const name of plan.names) {
      const r = await copyImage(plan.from, plan.to, name, {
        platforms: plan.platforms,
        signal,
        onProgress: (p) => report(`copying ${name}`, base + p.done, base + p.total, p.blobs),
      })
      base += r.bytesWritten + r.bytesSkipped
    }
  } finally {
    await plan.after().catch(() => undefined)
  }
  return plan.names
}

export function copyJob(
  ctx: ServiceContext,
  daemon: (id: string) => ContainerdSource,
  req: CopyRequest,
): JobBody {
  const plan = planCopy(ctx, daemon, req)
  return async (signal, progress) => ({ images: await copyImages(plan, signal, progress) })
}
