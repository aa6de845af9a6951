// Image summaries: derived rows (platforms, presence, size, unique size) kept in SQLite so that listing
// 10,000 images is one query, not 10,000 walks. A summary is rebuilt when its image's target changes or
// when the namespace's content changes under it (a blob arriving or going away); unique sizes are then
// recomputed for the whole namespace with one statement.
import { writeTx, type Database } from '../core/db'
import type { Descriptor } from '../core/oci'
import type { PlatformChip, Presence, TargetKind } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { buildTree, nodes, presenceOf, type TreeSource } from './tree'
import type { DescriptorNode } from '../../src-preload/api'

export interface Summary {
  name: string
  targetDigest: string
  kind: TargetKind
  platforms: PlatformChip[]
  status: Presence
  size: number
  blobs: Map<string, { size: number; present: boolean; mediaType: string; kind: string }>
}

export function treeSource(ctx: ServiceContext, ns: string): TreeSource {
  const has = ctx.db.prepare('SELECT 1 FROM content WHERE namespace = ? AND digest = ?').pluck()
  const provider = ctx.content.provider(ns)
  return { provider, present: (d) => has.get(ns, d) !== undefined }
}

export function summarize(name: string, tree: DescriptorNode): Summary {
  const blobs = new Map<string, { size: number; present: boolean; mediaType: string; kind: string }>()
  for (const n of nodes(tree))
    blobs.set(n.digest, { size: n.size, present: n.present, mediaType: n.mediaType, kind: n.kind })
  let size = 0
  for (const b of blobs.values()) if (b.present) size += b.size
  return {
    name,
    targetDigest: tree.digest,
    kind: tree.kind === 'index' ? 'index' : tree.kind === 'manifest' ? 'manifest' : 'other',
    platforms: chips(tree),
    status: presenceOf(tree),
    size,
    blobs,
  }
}

function chips(tree: DescriptorNode): PlatformChip[] {
  const out: PlatformChip[] = []
  const visit = (n: DescriptorNode): void => {
    if (n.kind === 'index') n.children.forEach(visit)
    else if (n.kind === 'manifest' && n.platform && n.platformParts) {
      out.push({ platform: n.platform, ...n.platformParts, status: presenceOf(n) })
    }
  }
  visit(tree)
  return out
}

const WALK_CONCURRENCY = 32

const locks = new Map<string, Promise<unknown>>()

/** Brings the namespace's summaries up to date; concurrent callers for one namespace share the work. */
export function refreshSummaries(ctx: ServiceContext, ns: string): Promise<number> {
  const prev = locks.get(ns) ?? Promise.resolve()
  const next = prev.then(() => refresh(ctx, ns))
  const settled = next.catch(() => undefined)
  locks.set(ns, settled)
  void settled.then(() => {
    if (locks.get(ns) === settled) locks.delete(ns)
  })
  return next
}

async function refresh(ctx: ServiceContext, ns: string): Promise<number> {
  const db = ctx.db
  const stamp = contentStamp(db, ns)
  const known = db
    .prepare('SELECT content_stamp FROM image_summary_state WHERE namespace = ?')
    .pluck()
    .get(ns)
  const stale = new Map<string, Descriptor>()
  const targets = db.prepare(
    `SELECT i.name, i.target_media_type AS mediaType, i.target_digest AS digest, i.target_size AS size
       FROM images i LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name
      WHERE i.namespace = ? AND (s.name IS NULL OR s.target_digest <> i.target_digest)`,
  )
  for (const r of targets.all(ns) as (Descriptor & { name: string })[]) {
    stale.set(r.name, { mediaType: r.mediaType, digest: r.digest, size: r.size })
  }
  if (known !== stamp) {
    // Only images whose recorded presence of some blob no longer holds need a new walk.
    const moved = db.prepare(
      `SELECT DISTINCT b.name, i.target_media_type AS mediaType, i.target_digest AS digest, i.target_size AS size
         FROM image_summary_blobs b
         JOIN images i ON i.namespace = b.namespace AND i.name = b.name
         LEFT JOIN content c ON c.namespace = b.namespace AND c.digest = b.digest
        WHERE b.namespace = ? AND b.present <> (c.digest IS NOT NULL)`,
    )
    for (const r of moved.all(ns) as (Descriptor & { name: string })[]) {
      stale.set(r.name, { mediaType: r.mediaType, digest: r.digest, size: r.size })
    }
  }
  const gone = db
    .prepare(
      `SELECT s.name FROM image_summaries s LEFT JOIN images i ON i.namespace = s.namespace AND i.name = s.name
        WHERE s.namespace = ? AND i.name IS NULL`,
    )
    .pluck()
    .all(ns) as string[]
  if (stale.size === 0 && gone.length === 0 && known === stamp) return 0

  const src = treeSource(ctx, ns)
  const fresh: Summary[] = []
  // A tree per target digest: tags of one image share it.
  const byTarget = new Map<string, Promise<DescriptorNode>>()
  const tree = (t: Descriptor): Promise<DescriptorNode> => {
    let p = byTarget.get(t.digest)
    if (!p) byTarget.set(t.digest, (p = buildTree(src, t, { lean: true })))
    return p
  }
  // Several walks at once: each is a chain of small file reads, which the I/O thread pool overlaps.
  const entries = [...stale]
  for (let i = 0; i < entries.length; i += WALK_CONCURRENCY) {
    const batch = entries.slice(i, i + WALK_CONCURRENCY)
    const trees = await Promise.all(batch.map(([, t]) => tree(t)))
    batch.forEach(([name], j) => fresh.push(summarize(name, trees[j])))
  }
  writeSummaries(db, ns, fresh, gone, contentStamp(db, ns), ctx.now?.() ?? new Date())
  return fresh.length + gone.length
}

function contentStamp(db: Database, ns: string): string {
  const r = db
    .prepare(
      'SELECT count(*) AS n, total(size) AS s, coalesce(max(updated_at), 0) AS u FROM content WHERE namespace = ?',
    )
    .get(ns) as { n: number; s: number; u: number }
  return `${r.n}:${r.s}:${r.u}`
}

function writeSummaries(
  db: Database,
  ns: string,
  fresh: Summary[],
  gone: string[],
  stamp: string,
  now: Date,
): void {
  const delS = db.prepare('DELETE FROM image_summaries WHERE namespace = ? AND name = ?')
  const delB = db.prepare('DELETE FROM image_summary_blobs WHERE namespace = ? AND name = ?')
  const insS = db.prepare(
    `INSERT INTO image_summaries (namespace, name, target_digest, kind, platforms, status, size, unique_size, refreshed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
  )
  const insB = db.prepare(
    'INSERT INTO image_summary_blobs (namespace, name, digest, size, present, media_type, kind) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  writeTx(db, `saving image summaries of namespace ${ns}`, () => {
    for (const name of gone) {
      delS.run(ns, name)
      delB.run(ns, name)
    }
    for (const s of fresh) {
      delS.run(ns, s.name)
      delB.run(ns, s.name)
      insS.run(
        ns,
        s.name,
        s.targetDigest,
        s.kind,
        JSON.stringify(s.platforms),
        s.status,
        s.size,
        now.getTime(),
      )
      for (const [digest, b] of s.blobs)
        insB.run(ns, s.name, digest, b.size, b.present ? 1 : 0, b.mediaType, b.kind)
    }
    recomputeUnique(db, ns)
    db.prepare(
      'INSERT INTO image_summary_state (namespace, content_stamp) VALUES (?, ?) ON CONFLICT (namespace) DO UPDATE SET content_stamp = excluded.content_stamp',
    ).run(ns, stamp)
  })
}

/** Unique size: present bytes of the blobs that no other image of the namespace reaches. */
function recomputeUnique(db: Database, ns: string): void {
  db.prepare(
    `UPDATE image_summaries SET unique_size = coalesce((
        SELECT sum(b.size) FROM image_summary_blobs b
         WHERE b.namespace = image_summaries.namespace AND b.name = image_summaries.name AND b.present = 1
           AND NOT EXISTS (SELECT 1 FROM image_summary_blobs o
                            WHERE o.namespace = b.namespace AND o.digest = b.digest AND o.name <> b.name)
      ), 0)
      WHERE namespace = ?`,
  ).run(ns)
}
