// The namespaced half of the content store: one row per (namespace, digest) in `content`, its labels
// in `content_labels`, and one row per in-progress write in `ingests` (see db.ts).
import type { Database } from '../db'
import type { Digest } from '../oci'

export interface ContentRow {
  digest: Digest
  size: number
  created_at: number
  updated_at: number
}

export interface IngestRow {
  namespace: string
  ref: string
  backend_ref: string
  /** The digest of a shared blob this ingest commits without writing, containerd's bucketKeyExpected. */
  expected: string | null
  total: number
  lease: string | null
  created_at: number
  expires_at: number | null
}

export { writeTx, sqliteError } from '../db'

export function getContent(db: Database, ns: string, d: Digest): ContentRow | undefined {
  return db
    .prepare('SELECT digest, size, created_at, updated_at FROM content WHERE namespace = ? AND digest = ?')
    .get(ns, d) as ContentRow | undefined
}

/** Whether a namespace labelled containerd.io/namespace.shareable=true holds the blob (isolated policy). */
export function heldByShareableNamespace(db: Database, d: Digest): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM content c JOIN namespaces n ON n.name = c.namespace
         WHERE c.digest = ? AND json_extract(n.labels, '$."containerd.io/namespace.shareable"') = 'true' LIMIT 1`,
      )
      .get(d) !== undefined
  )
}

export function getLabels(db: Database, ns: string, d: Digest): Record<string, string> {
  const rows = db
    .prepare('SELECT key, value FROM content_labels WHERE namespace = ? AND digest = ? ORDER BY key')
    .all(ns, d) as { key: string; value: string }[]
  // fromEntries makes every key an own property: `out[key] = v` would turn "__proto__" into a prototype.
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

/** Label rows (digest, key, value) grouped into one object per digest, every key an own property. */
export function groupLabels(rows: Iterable<[string, string, string]>): Map<string, Record<string, string>> {
  const entries = new Map<string, [string, string][]>()
  for (const [digest, key, value] of rows) {
    let list = entries.get(digest)
    if (!list) entries.set(digest, (list = []))
    list.push([key, value])
  }
  return new Map([...entries].map(([d, list]) => [d, Object.fromEntries(list)]))
}

/** Every record of a namespace in digest (byte) order, with labels. */
export function listContent(db: Database, ns: string): (ContentRow & { labels: Record<string, string> })[] {
  const rows = db
    .prepare('SELECT digest, size, created_at, updated_at FROM content WHERE namespace = ? ORDER BY digest')
    .all(ns) as ContentRow[]
  const byDigest = groupLabels(
    db.prepare('SELECT digest, key, value FROM content_labels WHERE namespace = ?').raw().all(ns) as [
      string,
      string,
      string,
    ][],
  )
  return rows.map((r) => ({ ...r, labels: byDigest.get(r.digest) ?? {} }))
}

export function insertContent(
  db: Database,
  ns: string,
  d: Digest,
  size: number,
  at: number,
  labels: Record<string, string>,
): void {
  db.prepare(
    'INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  ).run(ns, d, size, at, at)
  setLabels(db, ns, d, labels)
}

/** Replaces all labels; empty values are dropped, as containerd's boltutil.WriteLabels does. */
export function setLabels(db: Database, ns: string, d: Digest, labels: Record<string, string>): void {
  db.prepare('DELETE FROM content_labels WHERE namespace = ? AND digest = ?').run(ns, d)
  const ins = db.prepare('INSERT INTO content_labels (namespace, digest, key, value) VALUES (?, ?, ?, ?)')
  for (const [k, v] of Object.entries(labels)) if (v !== '') ins.run(ns, d, k, v)
}

export function touchContent(db: Database, ns: string, d: Digest, at: number): void {
  db.prepare('UPDATE content SET updated_at = ? WHERE namespace = ? AND digest = ?').run(at, ns, d)
}

export function deleteContent(db: Database, ns: string, d: Digest): boolean {
  return db.prepare('DELETE FROM content WHERE namespace = ? AND digest = ?').run(ns, d).changes > 0
}

const INGEST_COLUMNS = 'namespace, ref, backend_ref, expected, total, lease, created_at, expires_at'

export function getIngest(db: Database, ns: string, ref: string): IngestRow | undefined {
  return db.prepare(`SELECT ${INGEST_COLUMNS} FROM ingests WHERE namespace = ? AND ref = ?`).get(ns, ref) as
    IngestRow | undefined
}

const existsStatements = new WeakMap<Database, { get(...p: string[]): unknown }>()

/** Whether the ingest row of (ns, ref) is there with this backend ref; prepared once per database. */
export function ingestExists(db: Database, ns: string, ref: string, bref: string): boolean {
  let st = existsStatements.get(db)
  if (!st) {
    st = db.prepare('SELECT 1 FROM ingests WHERE namespace = ? AND ref = ? AND backend_ref = ?').pluck()
    existsStatements.set(db, st)
  }
  return st.get(ns, ref, bref) !== undefined
}

export function listIngests(db: Database, ns: string): IngestRow[] {
  return db
    .prepare(`SELECT ${INGEST_COLUMNS} FROM ingests WHERE namespace = ? ORDER BY ref`)
    .all(ns) as IngestRow[]
}

export function insertIngest(db: Database, row: IngestRow): void {
  db.prepare(`INSERT INTO ingests (${INGEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    row.namespace,
    row.ref,
    row.backend_ref,
    row.expected,
    row.total,
    row.lease,
    row.created_at,
    row.expires_at,
  )
}

export function updateIngest(
  db: Database,
  ns: string,
  ref: string,
  set: Partial<Pick<IngestRow, 'expected' | 'total' | 'lease' | 'expires_at'>>,
): void {
  const keys = Object.keys(set) as (keyof typeof set)[]
  if (keys.length === 0) return
  db.prepare(
    `UPDATE ingests SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE namespace = ? AND ref = ?`,
  ).run(...keys.map((k) => set[k] ?? null), ns, ref)
}

export function deleteIngest(db: Database, ns: string, ref: string): boolean {
  return db.prepare('DELETE FROM ingests WHERE namespace = ? AND ref = ?').run(ns, ref).changes > 0
}
