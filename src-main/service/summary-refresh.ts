// Keeping image summaries current from the marks that triggers leave (migration 4): an image created,
// retargeted, relabelled or deleted, or a blob its summary names arriving or leaving, marks that image.
// A read first refreshes the marked images of its namespace and nothing else; with no mark it costs one
// index probe. A walk reads blobs outside any transaction, so the write re-checks what the walk saw:
// a mark re-made meanwhile (its id changed) stays, and so does the mark of a summary whose blobs' presence
// no longer holds, so a blob that arrived during the walk is seen by the next read instead of leaving the
// image "partial" for good.
import type { Database } from '../core/db'
import type { Descriptor } from '../core/oci'
import { decodeMap } from '../core/images/store-rows'
import type { DescriptorNode } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { searchRows, searchText } from './image-search'
import { splitName } from './names'
import { summarizeTree, treeSource, type TreeSummary } from './summaries'
import { buildTree } from './tree'
import { uniqueSizes } from './unique-sizes'

/** Marks handled per write transaction: bounds the memory of a first refresh over 100,000 images. */
const BATCH = 2000
const WALK_CONCURRENCY = 32

interface Mark {
  id: number
  name: string
  walk: number
}

type TargetRow = [mediaType: string, digest: string, size: number]

const locks = new WeakMap<Database, Map<string, Promise<unknown>>>()

/**
 * Brings the namespace's summaries up to date; concurrent callers for one namespace share the work.
 * Returns how many marks it handled.
 */
export function refreshSummaries(ctx: ServiceContext, ns: string): Promise<number> {
  let byNs = locks.get(ctx.db)
  if (!byNs) locks.set(ctx.db, (byNs = new Map()))
  const queue = byNs
  const prev = queue.get(ns) ?? Promise.resolve()
  const next = prev.then(() => refresh(ctx, ns))
  const settled = next.catch(() => undefined)
  queue.set(ns, settled)
  void settled.then(() => {
    if (queue.get(ns) === settled) queue.delete(ns)
  })
  return next
}

/** Whether any summary of the namespace is marked: one probe of the marks' (namespace, name) index. */
export function hasMarks(db: Database, ns: string): boolean {
  return db.prepare('SELECT 1 FROM image_summary_marks WHERE namespace = ? LIMIT 1').get(ns) !== undefined
}

async function refresh(ctx: ServiceContext, ns: string): Promise<number> {
  const db = ctx.db
  if (!hasMarks(db, ns)) return 0
  // Marks made after this point wait for the next read: a busy writer cannot keep one read going.
  const last = db.prepare('SELECT max(id) FROM image_summary_marks').pluck().get() as number
  const page = db.prepare(
    `SELECT id, name, walk FROM image_summary_marks
      WHERE namespace = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?`,
  )
  let after = 0
  let handled = 0
  for (;;) {
    const marks = page.all(ns, after, last, BATCH) as Mark[]
    if (marks.length === 0) return handled
    after = marks[marks.length - 1].id
    handled += await refreshBatch(ctx, ns, marks)
  }
}

interface Work {
  mark: Mark
  /** The target as read before the walk; undefined when the image is gone. */
  target?: Descriptor
  /** The tree was (re)read: the summary and blob rows are rewritten. */
  walk: boolean
}

async function refreshBatch(ctx: ServiceContext, ns: string, marks: Mark[]): Promise<number> {
  const db = ctx.db
  const targetOf = db
    .prepare(
      'SELECT target_media_type, target_digest, target_size FROM images WHERE namespace = ? AND name = ?',
    )
    .raw()
  const summarized = db
    .prepare('SELECT target_digest FROM image_summaries WHERE namespace = ? AND name = ?')
    .pluck()
  const work: Work[] = marks.map((mark) => {
    const t = targetOf.get(ns, mark.name) as TargetRow | undefined
    if (!t) return { mark, walk: false }
    const target = { mediaType: t[0], digest: t[1], size: t[2] }
    return { mark, target, walk: mark.walk === 1 || summarized.get(ns, mark.name) !== t[1] }
  })
  const trees = await walkTargets(
    ctx,
    ns,
    work.filter((w) => w.walk).map((w) => w.target as Descriptor),
  )
  writeBatch(db, ns, work, trees, (ctx.now?.() ?? new Date()).getTime())
  return marks.length
}

/** One walk per distinct target (10,000 tags of one manifest are one walk), a few at a time. */
async function walkTargets(
  ctx: ServiceContext,
  ns: string,
  targets: Descriptor[],
): Promise<Map<string, { target: Descriptor; summary: TreeSummary }>> {
  const src = treeSource(ctx, ns)
  const distinct = new Map<string, Descriptor>()
  for (const t of targets) distinct.set(targetKey(t), t)
  const out = new Map<string, { target: Descriptor; summary: TreeSummary }>()
  const entries = [...distinct]
  for (let i = 0; i < entries.length; i += WALK_CONCURRENCY) {
    const batch = entries.slice(i, i + WALK_CONCURRENCY)
    const built: DescriptorNode[] = await Promise.all(batch.map(([, t]) => buildTree(src, t, { lean: true })))
    batch.forEach(([key, target], j) => out.set(key, { target, summary: summarizeTree(built[j]) }))
  }
  return out
}

type Plan = { kind: 'gone'; mark: Mark } | { kind: 'skip' } | { kind: 'keep'; mark: Mark; tree?: TreeSummary }

/** The summary depends on all three: the media type decides index or manifest, the size is shown. */
const targetKey = (t: Descriptor): string => `${t.digest} ${t.mediaType} ${t.size}`

function writeBatch(
  db: Database,
  ns: string,
  work: Work[],
  trees: Map<string, { target: Descriptor; summary: TreeSummary }>,
  now: number,
): void {
  const s = statements(db)
  const search = searchRows(db)
  const unique = uniqueSizes(db)
  const presentNow = new Map<string, boolean>()
  const isPresent = (d: string): boolean => {
    let p = presentNow.get(d)
    if (p === undefined) presentNow.set(d, (p = s.present.get(ns, d) !== undefined))
    return p
  }
  db.transaction(() => {
    // Digests whose holders change, and the images whose own blob rows change.
    const changedDigests = new Set<string>()
    const changedImages = new Set<string>()
    const plans = work.map((w): Plan => {
      const row = s.target.get(ns, w.mark.name) as TargetRow | undefined
      const old = s.blobsOf.all(ns, w.mark.name) as string[]
      if (!row) {
        old.forEach((d) => changedDigests.add(d))
        return { kind: 'gone', mark: w.mark }
      }
      const current = { mediaType: row[0], digest: row[1], size: row[2] }
      // Retargeted since the walk: a newer mark is pending, and the next read does it.
      if (w.walk && (!w.target || targetKey(current) !== targetKey(w.target))) return { kind: 'skip' }
      const tree = w.walk ? trees.get(targetKey(current))?.summary : undefined
      if (tree) {
        old.forEach((d) => changedDigests.add(d))
        for (const d of tree.blobs.keys()) changedDigests.add(d)
        changedImages.add(w.mark.name)
      }
      return { kind: 'keep', mark: w.mark, tree }
    })
    const before = unique.soleHolders(ns, changedDigests)

    for (const p of plans) {
      if (p.kind === 'skip') continue
      const { mark } = p
      const previous = s.searchId.get(ns, mark.name) as number | null | undefined
      if (p.kind === 'gone') {
        search.remove(previous ?? null)
        s.deleteSummary.run(ns, mark.name)
        s.deleteBlobs.run(ns, mark.name)
        s.deleteMark.run(mark.id)
        continue
      }
      let settled = true
      if (p.tree) {
        const t = p.tree
        // What the walk saw must still hold, or this summary is redone by the next read.
        for (const [d, b] of t.blobs) if (b.present !== isPresent(d)) settled = false
        s.deleteBlobs.run(ns, mark.name)
        for (const [d, b] of t.blobs)
          s.insertBlob.run(ns, mark.name, d, b.size, b.present ? 1 : 0, b.mediaType, b.kind)
        s.upsertSummary.run({
          ns,
          name: mark.name,
          digest: t.targetDigest,
          kind: t.kind,
          platforms: JSON.stringify(t.platforms),
          status: t.status,
          size: t.size,
          now,
          tag: splitName(mark.name).tag,
          count: t.platforms.length,
        })
      }
      // The search text is read inside this transaction, so it is the stored one whatever the walk saw.
      const img = s.searchFields.get(ns, mark.name) as [string, string | null]
      const id = search.put(ns, mark.name, searchText(mark.name, img[0], decodeMap(img[1])), previous ?? null)
      s.setSearchId.run(id, ns, mark.name)
      if (settled) s.deleteMark.run(mark.id)
    }

    const after = unique.soleHolders(ns, changedDigests)
    unique.recompute(ns, new Set([...changedImages, ...before, ...after]))
  }).immediate()
}

function statements(db: Database) {
  const p = (sql: string) => db.prepare(sql)
  return {
    present: p('SELECT 1 FROM content WHERE namespace = ? AND digest = ?'),
    target: p(
      'SELECT target_media_type, target_digest, target_size FROM images WHERE namespace = ? AND name = ?',
    ).raw(),
    searchFields: p(
      `SELECT i.target_digest, m.labels FROM images i
         LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name
        WHERE i.namespace = ? AND i.name = ?`,
    ).raw(),
    blobsOf: p('SELECT digest FROM image_summary_blobs WHERE namespace = ? AND name = ?').pluck(),
    searchId: p('SELECT search_id FROM image_summaries WHERE namespace = ? AND name = ?').pluck(),
    setSearchId: p('UPDATE image_summaries SET search_id = ? WHERE namespace = ? AND name = ?'),
    deleteSummary: p('DELETE FROM image_summaries WHERE namespace = ? AND name = ?'),
    deleteBlobs: p('DELETE FROM image_summary_blobs WHERE namespace = ? AND name = ?'),
    deleteMark: p('DELETE FROM image_summary_marks WHERE id = ?'),
    insertBlob: p(
      `INSERT INTO image_summary_blobs (namespace, name, digest, size, present, media_type, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    // unique_size and search_id are kept as they are: the caller sets both right after.
    upsertSummary: p(
      `INSERT INTO image_summaries (namespace, name, target_digest, kind, platforms, status, size, unique_size,
                                    refreshed_at, tag, platform_count)
       VALUES (@ns, @name, @digest, @kind, @platforms, @status, @size, 0, @now, @tag, @count)
       ON CONFLICT (namespace, name) DO UPDATE SET target_digest = excluded.target_digest,
         kind = excluded.kind, platforms = excluded.platforms, status = excluded.status, size = excluded.size,
         refreshed_at = excluded.refreshed_at, tag = excluded.tag, platform_count = excluded.platform_count`,
    ),
  }
}
