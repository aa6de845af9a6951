// images.removePreview: the bytes a collection would free once these images are gone, beyond what it
// would free anyway — the answer of two GC dry runs (with and without the images), computed from the
// images outward instead of marking the whole store twice. Only blobs the images reach can lose their
// last keeper, so only those are judged: a blob is freed when the namespace's record was kept before,
// is not kept without the images, no other namespace keeps a record of it, and its file exists. Another
// image whose summary names the blob is tried first as its keeper (the common case: a shared base
// layer); otherwise its ancestors are searched for a root. It all runs in one read transaction: a
// consistent snapshot that never blocks a writer.
import { ingestDir } from '../core/content/ingest'
import { statBlob } from '../core/content/layout'
import { inspectLock } from '../core/content/lock'
import type { Database } from '../core/db'
import { validateNamespace } from '../core/namespace'
import type { ReclaimPreview, RemoveRequest } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { contentNode, gcView, imageNode, type GcView } from './gc-view'

/** Other images tried as keepers of a blob, and how far each is followed, before a full search. */
const KEEPERS_TRIED = 4
const KEEPER_WALK_LIMIT = 512

export function removePreview(ctx: ServiceContext, req: RemoveRequest): ReclaimPreview {
  const ns = validateNamespace(req.namespace)
  for (const n of req.names) ctx.images.get(ns, n) // NotFound names the image
  const now = (ctx.now?.() ?? new Date()).getTime()
  return ctx.db.transaction(() => {
    const removed = new Set(req.names)
    const before = gcView(ctx.db, ns, now)
    const after = gcView(ctx.db, ns, now, removed)
    const reached = closure(before, req.names.map(imageNode))
    // What the images keep while they are roots: kept before, without asking further.
    const rootsReach = closure(before, req.names.filter((n) => before.isImageRoot(n)).map(imageNode))
    const holders = ctx.db
      .prepare('SELECT name FROM image_summary_blobs WHERE namespace = ? AND digest = ? LIMIT ?')
      .pluck()
    const recorded = ctx.db.prepare('SELECT 1 FROM content WHERE namespace = ? AND digest = ?')
    const keptByAnother = (digest: string): boolean =>
      (holders.all(ns, digest, KEEPERS_TRIED + removed.size) as string[])
        .filter((name) => !removed.has(name) && after.isImageRoot(name))
        .slice(0, KEEPERS_TRIED)
        .some((name) => reaches(after, imageNode(name), contentNode(digest)))
    let reclaimBytes = 0
    let blobs = 0
    for (const node of reached) {
      if (!node.startsWith('c\0')) continue
      const digest = node.slice(2)
      if (recorded.get(ns, digest) === undefined) continue
      if (!rootsReach.has(node) && !before.contentLive(digest)) continue // garbage already
      if (keptByAnother(digest) || after.contentLive(digest)) continue
      if (keptElsewhere(ctx.db, ctx.storeRoot, ns, digest, now)) continue
      const st = statBlob(ctx.storeRoot, digest)
      if (!st) continue
      reclaimBytes += st.size
      blobs++
    }
    return { names: req.names, reclaimBytes, blobs }
  })()
}

/** Every node a full visit of the starts marks (the starts included). */
function closure(view: GcView, starts: string[]): Set<string> {
  const seen = new Set(starts)
  const stack = [...starts]
  while (stack.length > 0) {
    for (const c of view.children(stack.pop() as string)) {
      if (seen.has(c)) continue
      seen.add(c)
      stack.push(c)
    }
  }
  return seen
}

/** Whether `to` is marked from `from` within a few hundred nodes (false says nothing). */
function reaches(view: GcView, from: string, to: string): boolean {
  const seen = new Set([from])
  const stack = [from]
  while (stack.length > 0 && seen.size < KEEPER_WALK_LIMIT) {
    for (const c of view.children(stack.pop() as string)) {
      if (c === to) return true
      if (seen.has(c)) continue
      seen.add(c)
      stack.push(c)
    }
  }
  return false
}

/**
 * The blob's file stays while any other namespace keeps its record of it, or while a live ingest (in
 * any namespace) is a shared writer about to commit it without rewriting the bytes — as GC has it.
 */
function keptElsewhere(db: Database, root: string, ns: string, digest: string, now: number): boolean {
  const others = db
    .prepare('SELECT namespace FROM content WHERE digest = ? AND namespace <> ?')
    .pluck()
    .all(digest, ns) as string[]
  if (others.some((other) => gcView(db, other, now).contentLive(digest))) return true
  const writers = db
    .prepare('SELECT namespace, ref, backend_ref, lease, expires_at FROM ingests WHERE expected = ?')
    .raw()
    .all(digest) as [string, string, string, string | null, number | null][]
  return writers.some(
    ([wns, ref, bref, lease, expiresAt]) =>
      gcView(db, wns, now).ingestLive(ref, lease, expiresAt) || inspectLock(ingestDir(root, bref)).held,
  )
}
