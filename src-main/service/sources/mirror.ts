// A containerd daemon's image and content records, mirrored into a database with Berth's own schema
// (one file per daemon under <root>/sources/, one namespace there per daemon namespace). Because the
// mirror has the same tables as Berth's store, every read use case — the list with its summaries, the
// descriptor tree, the platform matrix, the content view — runs over it unchanged; only the bytes come
// from the daemon (a Provider reading its Content service). Summaries are therefore cached by target
// digest exactly as for Berth's store, and a second look at 10,000 images is a query.
//
// A sync compares the daemon's images (Images.List) with the mirror and writes only what differs: an
// image whose updatedAt, target or labels moved, and removals; the blob records (Content.List) are
// compared the same way when an image changed, or when the content view asks. Berth's own writes to
// the daemon put the daemon's answer into the mirror at once (putImage, putContent).
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ContainerdConnection } from '../../core/containerd/client'
import { walkContent } from '../../core/containerd/content'
import { listImageHeads } from '../../core/containerd/images'
import type { Info } from '../../core/content/types'
import { openDatabase, type Database } from '../../core/db'
import { failedPrecondition } from '../../core/errors'
import type { Image } from '../../core/images/store'

/** The mirror's file for a daemon: named by a hash of its socket path. */
export function mirrorFile(root: string, address: string): string {
  const id = createHash('sha256').update(address).digest('hex').slice(0, 16)
  return join(root, 'sources', `containerd-${id}.db`)
}

export function openMirror(root: string, address: string): Database {
  const file = mirrorFile(root, address)
  mkdirSync(join(root, 'sources'), { recursive: true })
  return openDatabase(file)
}

/** Labels as one JSON object with sorted keys: the daemon's map order varies between answers. */
function canonical(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {})
    .filter((k) => m![k] !== '')
    .sort()
  if (keys.length === 0) return '{}'
  const out: Record<string, string> = {}
  for (const k of keys) out[k] = m![k]
  return JSON.stringify(out)
}

function statements(db: Database) {
  return {
    upsertImage: db.prepare(
      `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, target_annotations,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, name) DO UPDATE SET target_media_type = excluded.target_media_type,
         target_digest = excluded.target_digest, target_size = excluded.target_size,
         target_annotations = excluded.target_annotations, created_at = excluded.created_at,
         updated_at = excluded.updated_at`,
    ),
    dropLabels: db.prepare('DELETE FROM image_labels WHERE namespace = ? AND name = ?'),
    addLabels: db.prepare(
      `INSERT INTO image_labels (namespace, name, key, value) SELECT ?, ?, key, value FROM json_each(?)`,
    ),
    putLabelMap: db.prepare(
      `INSERT INTO image_label_maps (namespace, name, labels) VALUES (?, ?, ?)
       ON CONFLICT (namespace, name) DO UPDATE SET labels = excluded.labels`,
    ),
    dropImage: db.prepare('DELETE FROM images WHERE namespace = ? AND name = ?'),
    upsertContent: db.prepare(
      `INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (namespace, digest) DO UPDATE SET size = excluded.size, created_at = excluded.created_at,
         updated_at = excluded.updated_at`,
    ),
    dropContentLabels: db.prepare('DELETE FROM content_labels WHERE namespace = ? AND digest = ?'),
    addContentLabels: db.prepare(
      `INSERT INTO content_labels (namespace, digest, key, value) SELECT ?, ?, key, value FROM json_each(?)`,
    ),
    dropContent: db.prepare('DELETE FROM content WHERE namespace = ? AND digest = ?'),
    touch: db.prepare('INSERT OR IGNORE INTO namespaces (name, created_at) VALUES (?, ?)'),
  }
}

type Statements = ReturnType<typeof statements>
const prepared = new WeakMap<Database, Statements>()
function stmts(db: Database): Statements {
  let s = prepared.get(db)
  if (!s) prepared.set(db, (s = statements(db)))
  return s
}

function writeImage(s: Statements, ns: string, img: Image, labels: string): void {
  const t = img.target
  s.upsertImage.run(
    ns,
    img.name,
    t.mediaType,
    t.digest,
    t.size,
    canonical(t.annotations),
    img.createdAt.getTime(),
    img.updatedAt.getTime(),
  )
  s.dropLabels.run(ns, img.name)
  if (labels !== '{}') s.addLabels.run(ns, img.name, labels)
  s.putLabelMap.run(ns, img.name, labels)
}

function writeContent(s: Statements, ns: string, info: Info, labels: string): void {
  s.upsertContent.run(ns, info.digest, info.size, info.createdAt.getTime(), info.updatedAt.getTime())
  s.dropContentLabels.run(ns, info.digest)
  if (labels !== '{}') s.addContentLabels.run(ns, info.digest, labels)
}

/** The daemon's answer for one image after Berth changed it there. */
export function putImage(db: Database, ns: string, img: Image): void {
  const s = stmts(db)
  db.transaction(() => {
    s.touch.run(ns, Date.now())
    writeImage(s, ns, img, canonical(img.labels))
  })()
}

export function dropImage(db: Database, ns: string, name: string): void {
  stmts(db).dropImage.run(ns, name)
}

export function putContent(db: Database, ns: string, info: Info): void {
  const s = stmts(db)
  db.transaction(() => writeContent(s, ns, info, canonical(info.labels)))()
}

export interface SyncResult {
  /** Images written or removed. */
  images: number
  /** Blob records written or removed. */
  content: number
}

/**
 * What tells a changed record from an unchanged one without sorting or re-encoding its labels: the
 * byte length of their JSON does not depend on key order. containerd moves updatedAt on every change
 * anyway; this catches two changes within one millisecond that also changed the labels' size.
 */
const labelBytes = (m: Record<string, string>): number => Buffer.byteLength(canonicalUnsorted(m))

function canonicalUnsorted(m: Record<string, string>): string {
  for (const k in m) if (m[k] === '') return canonical(m)
  return JSON.stringify(m)
}

export interface SyncOptions {
  /**
   * 'always': the blob records too (the content view, after a delete's GC). 'with-images' (default):
   * only when some image record changed — a refresh compares the daemon's images, and blobs matter to
   * the list only through images.
   */
  content?: 'always' | 'with-images'
  signal?: AbortSignal
  /** At most this many blob records (MAX_MIRRORED_BLOBS). */
  maxBlobs?: number
}

/** Makes the mirror's namespace what the daemon holds now: its images, and its blobs when needed. */
export async function syncNamespace(
  c: ContainerdConnection,
  db: Database,
  ns: string,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const signal = opts.signal
  const heads = await listImageHeads(c, ns, [], { signal })
  const known = new Map<string, [string, number, number]>()
  for (const [name, digest, updated, bytes] of db
    .prepare(
      `SELECT i.name, i.target_digest, i.updated_at, length(CAST(coalesce(m.labels, '{}') AS BLOB)) FROM images i
         LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name WHERE i.namespace = ?`,
    )
    .raw()
    .all(ns) as [string, string, number, number][]) {
    known.set(name, [digest, updated, bytes])
  }
  // Only a record that differs is read whole (its target, annotations, createdAt).
  const changed: Image[] = []
  for (const h of heads) {
    const k = known.get(h.name)
    known.delete(h.name)
    if (k && k[0] === h.digest && k[1] === h.updatedAt && k[2] === labelBytes(h.labels)) continue
    changed.push(h.image())
  }
  const gone = [...known.keys()]
  const imagesMoved = changed.length + gone.length > 0
  // Both lists are read before anything is written, so a reader never sees images without their blobs.
  const blobs =
    opts.content === 'always' || imagesMoved ? await allContent(c, ns, signal, opts.maxBlobs) : null
  const s = stmts(db)
  let changedContent = 0
  db.transaction(() => {
    s.touch.run(ns, Date.now())
    for (const img of changed) writeImage(s, ns, img, canonical(img.labels))
    for (const name of gone) s.dropImage.run(ns, name)
    if (!blobs) return
    const held = new Map<string, string>()
    for (const [digest, size, updated] of db
      .prepare('SELECT digest, size, updated_at FROM content WHERE namespace = ?')
      .raw()
      .all(ns) as [string, number, number][]) {
      held.set(digest, `${size}\n${updated}`)
    }
    for (const info of blobs) {
      if (held.get(info.digest) !== `${info.size}\n${info.updatedAt.getTime()}`) {
        writeContent(s, ns, info, canonical(info.labels))
        changedContent++
      }
      held.delete(info.digest)
    }
    for (const digest of held.keys()) {
      s.dropContent.run(ns, digest)
      changedContent++
    }
  })()
  return { images: changed.length + gone.length, content: changedContent }
}

/** More blob records than this in one namespace is not a store Berth can mirror (nor hold in memory). */
export const MAX_MIRRORED_BLOBS = 5_000_000

async function allContent(
  c: ContainerdConnection,
  ns: string,
  signal?: AbortSignal,
  max = MAX_MIRRORED_BLOBS,
): Promise<Info[]> {
  const out: Info[] = []
  for await (const batch of walkContent(c, ns, [], { signal })) {
    if (out.length + batch.length > max)
      throw failedPrecondition(
        `containerd at ${c.name} lists more than ${max} blobs in namespace ${ns}: too many for Berth to mirror`,
      )
    out.push(...batch)
  }
  return out
}
