// Keeping image summaries current from the marks that triggers leave (migration 4): an image created,
// retargeted, relabelled or deleted, or a blob its summary names arriving or leaving, marks that image.
// A read first refreshes the marked images of its namespace and nothing else; with no mark it costs one
// index probe. A walk reads blobs outside any transaction, so the write re-checks what the walk saw: an
// image retargeted meanwhile is left marked, and so is one whose blobs' presence no longer holds, so a
// blob that arrived during the walk is seen by the next read instead of leaving the image "partial" for
// good; the labels are read inside the write itself.
import { writeTx, type Database } from '../core/db'
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
/** Trees kept across the batches of one refresh, by target: many tags of one image are one walk. */
const TREES_KEPT = 4096

interface Mark {
  name: string
  walk: number
}

/** [media type, digest, size, the summary's target (null: no summary yet)] */
type TargetRow = [string, string, number, string | null]

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
  // As many as there are now: marks that writers add meanwhile wait for the next read, so a busy
  // writer cannot keep one read going.
  let budget = db
    .prepare('SELECT count(*) FROM image_summary_marks WHERE namespace = ?')
    .pluck()
    .get(ns) as number
  // In name order, through the marks' primary key: a batch then writes the summaries' tables, keyed by
  // name, in order too, which keeps a first refresh of many images from paging at random.
  const page = db.prepare(
    'SELECT name, walk FROM image_summary_marks WHERE namespace = ? AND name > ? ORDER BY name LIMIT ?',
  )
  let after = ''
  let handled = 0
  const trees: Trees = new Map()
  while (budget > 0) {
    const marks = page.all(ns, after, Math.min(BATCH, budget)) as Mark[]
    if (marks.length === 0) break
    after = marks[marks.length - 1].name
    budget -= marks.length
    handled += await refreshBatch(ctx, ns, marks, trees)
  }
  return handled
}

interface Work {
  mark: Mark
  /** The target as read before the walk; undefined when the image is gone. */
  target?: Descriptor
  /** The tree was (re)read: the summary and blob rows are rewritten. */
  walk: boolean
}

/** Summaries of the trees walked, by targetKey. The write re-checks presence, so reuse is safe. */
type Trees = Map<string, TreeSummary>

async function refreshBatch(ctx: ServiceContext, ns: string, marks: Mark[], trees: Trees): Promise<number> {
  const db = ctx.db
  // One statement per batch rather than one per image: each is a few microseconds of calling alone.
  // CROSS JOIN keeps the batch's names the outer loop, each a primary-key probe (the planner would
  // otherwise scan the namespace and search the list for every image).
  const targets = new Map(
    (
      db
        .prepare(
          `SELECT j.value, i.target_media_type, i.target_digest, i.target_size, s.target_digest
             FROM json_each(@names) j
             CROSS JOIN images i ON i.namespace = @ns AND i.name = j.value
             LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name`,
        )
        .raw()
        .all({ ns, names: JSON.stringify(marks.map((m) => m.name)) }) as [string, ...TargetRow][]
    ).map(([name, ...t]) => [name, t]),
  )
  const work: Work[] = marks.map((mark) => {
    const t = targets.get(mark.name)
    if (!t) return { mark, walk: false }
    const target = { mediaType: t[0], digest: t[1], size: t[2] }
    return { mark, target, walk: mark.walk === 1 || t[3] !== t[1] }
  })
  await walkTargets(
    ctx,
    ns,
    work.filter((w) => w.walk).map((w) => w.target as Descriptor),
    trees,
  )
  writeBatch(db, ns, work, trees, (ctx.now?.() ?? new Date()).getTime())
  return marks.length
}

/** One walk per distinct target not walked yet (10,000 tags of one manifest are one walk), a few at a time. */
async function walkTargets(
  ctx: ServiceContext,
  ns: string,
  targets: Descriptor[],
  trees: Trees,
): Promise<void> {
  const src = treeSource(ctx, ns)
  const todo = new Map<string, Descriptor>()
  for (const t of targets) if (!trees.has(targetKey(t))) todo.set(targetKey(t), t)
  if (trees.size + todo.size > TREES_KEPT) trees.clear()
  const entries = [...todo]
  for (let i = 0; i < entries.length; i += WALK_CONCURRENCY) {
    const batch = entries.slice(i, i + WALK_CONCURRENCY)
    const built: DescriptorNode[] = await Promise.all(batch.map(([, t]) => buildTree(src, t, { lean: true })))
    batch.forEach(([key], j) => trees.set(key, summarizeTree(built[j])))
  }
}

type Plan =
  | { kind: 'gone'; mark: Mark }
  | { kind: 'skip' }
  | { kind: 'keep'; mark: Mark; row: CurrentRow; tree?: TreeSummary; hadBlobs: boolean }

/** The summary depends on all three: the media type decides index or manifest, the size is shown. */
const targetKey = (t: Descriptor): string => `${t.digest} ${t.mediaType} ${t.size}`

function writeBatch(db: Database, ns: string, work: Work[], trees: Trees, now: number): void {
  const s = statements(db)
  const search = searchRows(db)
  const unique = uniqueSizes(db)
  const presentNow = new Map<string, boolean>()
  const isPresent = (d: string): boolean => {
    let p = presentNow.get(d)
    if (p === undefined) presentNow.set(d, (p = s.present.get(ns, d) !== undefined))
    return p
  }
  writeTx(db, `saving image summaries of namespace ${ns}`, () => {
    // How many more or fewer images hold each digest, and the images whose own blob rows change.
    const holders = new Map<string, number>()
    const hold = (d: string, by: number) => holders.set(d, (holders.get(d) ?? 0) + by)
    const changedImages = new Set<string>()
    const names = JSON.stringify(work.map((w) => w.mark.name))
    const marksNow = new Map(s.marks.all({ ns, names }) as [string, number][])
    const rows = new Map(
      (s.current.all({ ns, names }) as [string, ...CurrentRow][]).map(([name, ...r]) => [name, r]),
    )
    const oldBlobs = new Map<string, string[]>()
    for (const [name, digest] of s.blobsOf.all({ ns, names }) as [string, string][]) {
      const list = oldBlobs.get(name)
      if (list) list.push(digest)
      else oldBlobs.set(name, [digest])
    }
    const plans = work.map((w): Plan => {
      const row = rows.get(w.mark.name)
      const old = oldBlobs.get(w.mark.name) ?? []
      if (!row) {
        for (const d of old) hold(d, -1)
        return { kind: 'gone', mark: w.mark }
      }
      const current = { mediaType: row[0], digest: row[1], size: row[2] }
      // Retargeted since the walk: a newer mark is pending, and the next read does it.
      if (w.walk && (!w.target || targetKey(current) !== targetKey(w.target))) return { kind: 'skip' }
      const tree = w.walk ? trees.get(targetKey(current)) : undefined
      if (tree) {
        const before = new Set(old)
        for (const d of old) if (!tree.blobs.has(d)) hold(d, -1)
        for (const d of tree.blobs.keys()) if (!before.has(d)) hold(d, +1)
        changedImages.add(w.mark.name)
      }
      return { kind: 'keep', mark: w.mark, row, tree, hadBlobs: old.length > 0 }
    })
    const changedDigests = [...holders].filter(([, by]) => by !== 0).map(([d]) => d)
    const before = unique.soleHolders(ns, changedDigests)

    const done: string[] = []
    for (const p of plans) {
      if (p.kind === 'skip') continue
      const { mark } = p
      if (p.kind === 'gone') {
        search.remove((s.searchId.get(ns, mark.name) as number | null | undefined) ?? null)
        s.deleteSummary.run(ns, mark.name)
        s.deleteBlobs.run(ns, mark.name)
        done.push(mark.name)
        continue
      }
      const [, digest, , labels, previous, createdAt, updatedAt] = p.row
      // The search text is read inside this transaction, so it is the stored one whatever the walk saw.
      const searchId = search.put(ns, mark.name, searchText(mark.name, digest, decodeMap(labels)), previous)
      let settled = true
      if (p.tree) {
        const t = p.tree
        // What the walk saw must still hold, or this summary is redone by the next read.
        for (const [d, b] of t.blobs) if (b.present !== isPresent(d)) settled = false
        if (p.hadBlobs) s.deleteBlobs.run(ns, mark.name)
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
          searchId,
          createdAt,
          updatedAt,
        })
      } else {
        s.setSearch.run(searchId, createdAt, updatedAt, ns, mark.name)
        // A blob came or went since the mark was read: the tree is to be walked after all.
        if (marksNow.get(mark.name) !== 0) settled = false
      }
      if (settled) done.push(mark.name)
    }
    s.deleteMarks.run({ ns, names: JSON.stringify(done) })

    for (const [d, by] of holders) {
      if (by === 0) continue
      s.holders.run({ ns, d, by })
      if (by < 0) s.dropUnheld.run({ ns, d })
    }
    const after = unique.soleHolders(ns, changedDigests)
    unique.recompute(ns, new Set([...changedImages, ...before, ...after]))
  })
}

/** [media type, digest, size, labels JSON, the summary's search row (null: none yet), created, updated] */
type CurrentRow = [string, string, number, string | null, number | null, number, number]

function statements(db: Database) {
  const p = (sql: string) => db.prepare(sql)
  return {
    present: p('SELECT 1 FROM content WHERE namespace = ? AND digest = ?'),
    current: p(
      `SELECT j.value, i.target_media_type, i.target_digest, i.target_size, m.labels, s.search_id,
              i.created_at, i.updated_at
         FROM json_each(@names) j
         CROSS JOIN images i ON i.namespace = @ns AND i.name = j.value
         LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name
         LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name`,
    ).raw(),
    blobsOf: p(
      `SELECT b.name, b.digest FROM json_each(@names) j
         CROSS JOIN image_summary_blobs b ON b.namespace = @ns AND b.name = j.value`,
    ).raw(),
    searchId: p('SELECT search_id FROM image_summaries WHERE namespace = ? AND name = ?').pluck(),
    setSearch: p(
      'UPDATE image_summaries SET search_id = ?, created_at = ?, updated_at = ? WHERE namespace = ? AND name = ?',
    ),
    holders: p(
      `INSERT INTO image_summary_digests (namespace, digest, holders) VALUES (@ns, @d, @by)
       ON CONFLICT (namespace, digest) DO UPDATE SET holders = holders + excluded.holders`,
    ),
    dropUnheld: p('DELETE FROM image_summary_digests WHERE namespace = @ns AND digest = @d AND holders <= 0'),
    deleteSummary: p('DELETE FROM image_summaries WHERE namespace = ? AND name = ?'),
    deleteBlobs: p('DELETE FROM image_summary_blobs WHERE namespace = ? AND name = ?'),
    marks: p(
      `SELECT m.name, m.walk FROM json_each(@names) j
         CROSS JOIN image_summary_marks m ON m.namespace = @ns AND m.name = j.value`,
    ).raw(),
    deleteMarks: p(
      'DELETE FROM image_summary_marks WHERE namespace = @ns AND name IN (SELECT value FROM json_each(@names))',
    ),
    insertBlob: p(
      `INSERT INTO image_summary_blobs (namespace, name, digest, size, present, media_type, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    // unique_size is kept as it is: the caller recomputes it right after.
    upsertSummary: p(
      `INSERT INTO image_summaries (namespace, name, target_digest, kind, platforms, status, size, unique_size,
                                    refreshed_at, tag, platform_count, search_id)
       VALUES (@ns, @name, @digest, @kind, @platforms, @status, @size, 0, @now, @tag, @count, @searchId)
       ON CONFLICT (namespace, name) DO UPDATE SET target_digest = excluded.target_digest,
         kind = excluded.kind, platforms = excluded.platforms, status = excluded.status, size = excluded.size,
         refreshed_at = excluded.refreshed_at, tag = excluded.tag, platform_count = excluded.platform_count,
         search_id = excluded.search_id, created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
  }
}
