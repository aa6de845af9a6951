// Leases as containerd's metadata store has them (core/metadata/leases.go): a named, namespaced set of
// resources (content digests, image names, ingest refs) that GC must not collect while the lease
// lives. Imports and pulls hold one for their whole run, so half-written images survive a GC.
import { randomBytes } from 'node:crypto'
import type { Database } from './db'
import { markDirty, touchNamespace, writeTx } from './db'
import { alreadyExists, invalidArgument, notFound, notImplemented } from './errors'
import { parseAll } from './filters'
import { LABEL_GC_EXPIRE, validateLabel } from './labels'
import { validateNamespace } from './namespace'
import { parseDigest } from './oci'
import { formatRFC3339 } from './rfc3339'

export interface Lease {
  id: string
  labels: Record<string, string>
  createdAt: Date
}

export type LeaseResourceKind = 'content' | 'image' | 'ingest'

export interface LeaseResource {
  kind: LeaseResourceKind
  key: string
}

export interface CreateLeaseOptions {
  /** Defaults to a random id, as containerd's leases.WithRandomID. */
  id?: string
  labels?: Record<string, string>
  /** Milliseconds until GC may ignore the lease: sets the containerd.io/gc.expire label. */
  expiresIn?: number
  now?: () => Date
}

/** containerd's client-side default for a lease made just to protect one operation. */
export const DEFAULT_LEASE_EXPIRY_MS = 24 * 60 * 60 * 1000

const KINDS: readonly LeaseResourceKind[] = ['content', 'image', 'ingest']

export function randomLeaseId(now: Date = new Date()): string {
  return `${now.getTime()}-${randomBytes(6).toString('base64url')}`
}

export function createLease(db: Database, ns: string, opts: CreateLeaseOptions = {}): Lease {
  validateNamespace(ns)
  const now = (opts.now ?? (() => new Date()))()
  const id = opts.id ?? randomLeaseId(now)
  if (typeof id !== 'string' || id === '') throw invalidArgument('lease id must be provided')
  const labels: Record<string, string> = { ...(opts.labels ?? {}) }
  if (opts.expiresIn !== undefined) {
    if (!Number.isFinite(opts.expiresIn))
      throw invalidArgument(`lease ${id}: expiresIn must be a number of milliseconds`)
    labels[LABEL_GC_EXPIRE] = formatRFC3339(new Date(now.getTime() + opts.expiresIn))
  }
  for (const [k, v] of Object.entries(labels)) validateLabel(k, v)
  for (const k of Object.keys(labels)) if (labels[k] === '') delete labels[k]
  writeTx(db, `creating lease "${id}"`, () => {
    const exists = db.prepare('SELECT 1 FROM leases WHERE namespace = ? AND id = ?').get(ns, id)
    if (exists) throw alreadyExists(`lease "${id}": already exists`)
    touchNamespace(db, ns, now.getTime())
    db.prepare('INSERT INTO leases (namespace, id, labels, created_at) VALUES (?, ?, ?, ?)').run(
      ns,
      id,
      JSON.stringify(labels),
      now.getTime(),
    )
  })
  return { id, labels, createdAt: now }
}

/** Removes the lease; what it protected becomes collectable at the next GC. NotFound if absent. */
export function deleteLease(db: Database, ns: string, id: string): void {
  validateNamespace(ns)
  writeTx(db, `deleting lease "${id}"`, () => {
    const r = db.prepare('DELETE FROM leases WHERE namespace = ? AND id = ?').run(ns, id)
    if (r.changes === 0) throw notFound(`lease "${id}": not found`)
    // Ingests it protected are now neither leased nor given an expiry: containerd's GC aborts them.
    db.prepare('UPDATE ingests SET lease = NULL WHERE namespace = ? AND lease = ?').run(ns, id)
    markDirty(db)
  })
}

interface LeaseRow {
  id: string
  labels: string
  created_at: number
}

function rowToLease(r: LeaseRow): Lease {
  return {
    id: r.id,
    labels: JSON.parse(r.labels) as Record<string, string>,
    createdAt: new Date(r.created_at),
  }
}

export function getLease(db: Database, ns: string, id: string): Lease {
  validateNamespace(ns)
  const r = db
    .prepare('SELECT id, labels, created_at FROM leases WHERE namespace = ? AND id = ?')
    .get(ns, id) as LeaseRow | undefined
  if (!r) throw notFound(`lease "${id}": not found`)
  return rowToLease(r)
}

/** Leases of the namespace in id order; filters (OR) may use `id` and `labels.KEY`. */
export function listLeases(db: Database, ns: string, ...filters: string[]): Lease[] {
  validateNamespace(ns)
  const filter = parseAll(...filters)
  const rows = db
    .prepare('SELECT id, labels, created_at FROM leases WHERE namespace = ? ORDER BY id')
    .all(ns) as LeaseRow[]
  return rows.map(rowToLease).filter((l) =>
    filter.match((path) => {
      if (path[0] === 'id') return l.id
      if (path[0] === 'labels' && path.length > 1) {
        const key = path.slice(1).join('.')
        return Object.hasOwn(l.labels, key) ? l.labels[key] : undefined
      }
      return undefined
    }),
  )
}

/** NotFound unless the lease exists. For use inside a caller's transaction. */
export function requireLease(db: Database, ns: string, id: string): void {
  if (!db.prepare('SELECT 1 FROM leases WHERE namespace = ? AND id = ?').get(ns, id)) {
    throw notFound(`lease "${id}" does not exist: create it first (createLease) or drop the lease option`)
  }
}

function checkResource(r: LeaseResource): string {
  if (!KINDS.includes(r?.kind)) {
    throw notImplemented(`resource type ${String(r?.kind)} not supported yet: use content, image or ingest`)
  }
  if (typeof r.key !== 'string' || r.key === '')
    throw invalidArgument(`${r.kind} resource id must not be empty`)
  if (r.kind === 'content') {
    try {
      return parseDigest(r.key)
    } catch (e) {
      throw invalidArgument(`invalid content resource id ${r.key}: ${(e as Error).message}`)
    }
  }
  return r.key
}

/** Adds a resource inside a caller's transaction; the lease must exist. */
export function leaseResource(
  db: Database,
  ns: string,
  leaseId: string,
  kind: LeaseResourceKind,
  key: string,
): void {
  requireLease(db, ns, leaseId)
  db.prepare('INSERT OR IGNORE INTO lease_resources (namespace, lease, kind, key) VALUES (?, ?, ?, ?)').run(
    ns,
    leaseId,
    kind,
    key,
  )
}

/** Drops a resource from a lease inside a caller's transaction; absent rows are fine. */
export function unleaseResource(
  db: Database,
  ns: string,
  leaseId: string,
  kind: LeaseResourceKind,
  key: string,
): void {
  db.prepare('DELETE FROM lease_resources WHERE namespace = ? AND lease = ? AND kind = ? AND key = ?').run(
    ns,
    leaseId,
    kind,
    key,
  )
}

export function addResource(db: Database, ns: string, leaseId: string, r: LeaseResource): void {
  validateNamespace(ns)
  const key = checkResource(r)
  writeTx(db, `adding ${r.kind} ${key} to lease "${leaseId}"`, () =>
    leaseResource(db, ns, leaseId, r.kind, key),
  )
}

export function deleteResource(db: Database, ns: string, leaseId: string, r: LeaseResource): void {
  validateNamespace(ns)
  const key = checkResource(r)
  writeTx(db, `removing ${r.kind} ${key} from lease "${leaseId}"`, () => {
    requireLease(db, ns, leaseId)
    unleaseResource(db, ns, leaseId, r.kind, key)
    markDirty(db)
  })
}

export function listResources(db: Database, ns: string, leaseId: string): LeaseResource[] {
  validateNamespace(ns)
  return db.transaction(() => {
    requireLease(db, ns, leaseId)
    return db
      .prepare('SELECT kind, key FROM lease_resources WHERE namespace = ? AND lease = ? ORDER BY kind, key')
      .all(ns, leaseId) as LeaseResource[]
  })()
}

/**
 * Runs fn under a fresh lease and deletes the lease afterwards, whatever fn did. The lease expires by
 * itself (24 h by default) if the process dies before deleting it.
 */
export async function withLease<T>(
  db: Database,
  ns: string,
  fn: (leaseId: string) => T | Promise<T>,
  opts: CreateLeaseOptions = {},
): Promise<T> {
  const lease = createLease(db, ns, { expiresIn: DEFAULT_LEASE_EXPIRY_MS, ...opts })
  try {
    return await fn(lease.id)
  } finally {
    deleteLease(db, ns, lease.id)
  }
}
