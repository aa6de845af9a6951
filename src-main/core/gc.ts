// Garbage collection, containerd's model (containerd-semantics.md §f): mark from the roots (live
// images, gc.root content, live leases, unexpired ingests) along target digests and gc.ref / gc.bref
// labels, then sweep unreachable records in one transaction. Blob files go after that commit, and only
// once no namespace has a record of them; that also reclaims blobs whose record the content store
// deleted, as containerd's content cleanup walks the backend for unreferenced blobs.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ingestDir, removeIngestDir } from './content/ingest'
import { inspectLock, type ProcessProbe } from './content/lock'
import { sweepIngestDirs } from './content/sweep'
import { writeTx, type Database } from './db'
import { mark, nodeId, type Kind } from './gc-mark'
import { isDigest } from './oci'

export { parseRFC3339 } from './rfc3339'

export interface GcOptions {
  /** Content root (the OCI layout): blob files and ingest directories are deleted only when given. */
  root?: string
  /** Compute and return what would be removed, changing nothing. */
  dryRun?: boolean
  now?: () => Date
  /** How ingest locks tell a live writer from a dead one; default: this OS's. */
  probe?: ProcessProbe
}

export interface GcRemoved {
  namespace: string
  kind: Kind
  key: string
  size?: number
}

export interface NamespaceUsage {
  /** What is left after the run (or would be, for a dry run). */
  contentCount: number
  contentBytes: number
  imageCount: number
  leaseCount: number
  ingestCount: number
  /** Records removed in this namespace. */
  removed: number
}

export interface GcResult {
  removed: GcRemoved[]
  perNamespace: Record<string, NamespaceUsage>
  /** Bytes of blob files deleted from disk (would be, for a dry run). */
  bytesFreed: number
  blobsDeleted: number
}

export function gc(db: Database, opts: GcOptions = {}): GcResult {
  const now = (opts.now ?? (() => new Date()))().getTime()
  const sweep = () => {
    const { graph, reachable } = mark(db, now)
    const removed: GcRemoved[] = []
    const dead = (k: Kind, ns: string, key: string) => !reachable.has(nodeId(k, ns, key))
    for (const l of graph.leases)
      if (dead('lease', l.namespace, l.id)) removed.push(rm('lease', l.namespace, l.id))
    for (const i of graph.ingests) {
      // An expired ingest that a live writer still holds is in use: collecting it would pull the
      // data file from under that writer.
      const inUse =
        opts.root !== undefined && inspectLock(ingestDir(opts.root, i.backendRef), opts.probe).held
      if (dead('ingest', i.namespace, i.ref) && !inUse) removed.push(rm('ingest', i.namespace, i.ref))
    }
    for (const c of graph.content) {
      if (dead('content', c.namespace, c.digest))
        removed.push({ ...rm('content', c.namespace, c.digest), size: c.size })
    }
    for (const i of graph.images)
      if (dead('image', i.namespace, i.name)) removed.push(rm('image', i.namespace, i.name))

    const perNamespace = usage(graph, removed)
    const gone = new Set(removed.map((r) => nodeId(r.kind, r.namespace, r.key)))
    const liveDigests = new Set(
      graph.content.filter((c) => !gone.has(nodeId('content', c.namespace, c.digest))).map((c) => c.digest),
    )
    // A shared writer's blob may have no record left anywhere (the namespace that held it dropped
    // it), yet that writer will commit it without rewriting the bytes: the file stays while the
    // ingest does. containerd drops it here and the commit records a blob that is not on disk.
    for (const i of graph.ingests) {
      if (i.expected && !gone.has(nodeId('ingest', i.namespace, i.ref))) liveDigests.add(i.expected)
    }
    const ingestRefs = graph.ingests
      .filter((i) => gone.has(nodeId('ingest', i.namespace, i.ref)))
      .map((i) => i.backendRef)
    if (!opts.dryRun) {
      deleteRecords(db, removed)
      db.prepare('UPDATE gc_state SET dirty = 0, last_run_at = ? WHERE id = 1').run(now)
    }
    return { removed, perNamespace, liveDigests, ingestRefs }
  }
  // IMMEDIATE: no writer may slip a new reference in between mark and sweep.
  const { removed, perNamespace, liveDigests, ingestRefs } = opts.dryRun
    ? db.transaction(sweep).deferred()
    : writeTx(db, 'garbage collection', sweep)

  let bytesFreed = 0
  let blobsDeleted = 0
  if (opts.root !== undefined) {
    const root = opts.root
    const stillUsed = db
      .prepare(
        'SELECT 1 FROM content WHERE digest = @d UNION ALL SELECT 1 FROM ingests WHERE expected = @d LIMIT 1',
      )
      .pluck()
    const files = () => {
      for (const blob of blobFiles(root)) {
        if (liveDigests.has(blob.digest)) continue
        if (!opts.dryRun) {
          // A record committed (or a shared writer opened) since the sweep keeps its blob. The
          // content store moves a blob into place, and opens a writer, inside a write transaction,
          // so holding the write lock here closes that race.
          if (stillUsed.get({ d: blob.digest }) !== undefined) continue
          rmSync(blob.path, { force: true })
        }
        bytesFreed += blob.size
        blobsDeleted++
      }
      if (!opts.dryRun) {
        for (const bref of ingestRefs) removeIngestDir(ingestDir(root, bref))
        // Crash leftovers: ingest directories no row and no live writer owns.
        sweepIngestDirs(root, db, new Date(now), opts.probe)
      }
    }
    if (opts.dryRun) files()
    else writeTx(db, 'garbage collection (removing blob files)', files)
  }
  return { removed, perNamespace, bytesFreed, blobsDeleted }
}

function rm(kind: Kind, namespace: string, key: string): GcRemoved {
  return { namespace, kind, key }
}

function deleteRecords(db: Database, removed: GcRemoved[]): void {
  // Labels and lease resources go with their rows (ON DELETE CASCADE).
  const del: Record<Kind, { run: (ns: string, key: string) => unknown }> = {
    image: db.prepare('DELETE FROM images WHERE namespace = ? AND name = ?'),
    content: db.prepare('DELETE FROM content WHERE namespace = ? AND digest = ?'),
    lease: db.prepare('DELETE FROM leases WHERE namespace = ? AND id = ?'),
    ingest: db.prepare('DELETE FROM ingests WHERE namespace = ? AND ref = ?'),
  }
  for (const r of removed) del[r.kind].run(r.namespace, r.key)
}

function usage(
  graph: ReturnType<typeof mark>['graph'],
  removed: GcRemoved[],
): Record<string, NamespaceUsage> {
  // A Map: a namespace may be called "constructor" or "toString", which `out[n] ??=` would find inherited.
  const out = new Map<string, NamespaceUsage>()
  const ns = (n: string) => {
    let u = out.get(n)
    if (!u) {
      u = { contentCount: 0, contentBytes: 0, imageCount: 0, leaseCount: 0, ingestCount: 0, removed: 0 }
      out.set(n, u)
    }
    return u
  }
  for (const c of graph.content) {
    ns(c.namespace).contentCount++
    ns(c.namespace).contentBytes += c.size
  }
  for (const i of graph.images) ns(i.namespace).imageCount++
  for (const l of graph.leases) ns(l.namespace).leaseCount++
  for (const i of graph.ingests) ns(i.namespace).ingestCount++
  for (const r of removed) {
    const u = ns(r.namespace)
    u.removed++
    if (r.kind === 'content') {
      u.contentCount--
      u.contentBytes -= r.size ?? 0
    } else if (r.kind === 'image') u.imageCount--
    else if (r.kind === 'lease') u.leaseCount--
    else u.ingestCount--
  }
  return Object.fromEntries(out)
}

/** Committed blobs: `<root>/blobs/<algorithm>/<encoded>`. */
function blobFiles(root: string): { digest: string; path: string; size: number }[] {
  const out: { digest: string; path: string; size: number }[] = []
  const blobs = join(root, 'blobs')
  for (const alg of safeReaddir(blobs)) {
    for (const enc of safeReaddir(join(blobs, alg))) {
      const path = join(blobs, alg, enc)
      try {
        const st = statSync(path)
        // Only blob files proper: anything else under blobs/ is not ours to delete.
        if (st.isFile() && isDigest(`${alg}:${enc}`))
          out.push({ digest: `${alg}:${enc}`, path, size: st.size })
      } catch {
        // Vanished meanwhile: nothing to free.
      }
    }
  }
  return out
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
