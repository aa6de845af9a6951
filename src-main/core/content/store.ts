// The content store: containerd's metadata content store (core/metadata/content.go) over one shared
// local store (plugins/content/local) — bytes once on disk as an OCI image layout, a record per
// namespace in SQLite. Semantics: containerd-semantics.md §d.
import type { Database } from '../db'
import { markDirty } from '../db'
import { invalidArgument, notFound, wrap } from '../errors'
import { parseAll } from '../filters'
import { validateLabel } from '../labels'
import { leaseResource } from '../leases'
import { validateNamespace } from '../namespace'
import { isDigest, type Descriptor, type Digest } from '../oci'
import { ingestFile, writeStream, type WriteOptions } from './copy'
import { adaptContent, adaptContentStatus } from './filter'
import { clearIngest, ingestDir, readIngest, removeIngestDir } from './ingest'
import { blobPath, ensureLayout, fsyncDir, ioError } from './layout'
import { systemProbe, unlock } from './lock'
import { isRefLocked, lockIngest, openIngestWriter } from './open'
import type { Provider } from './provider'
import { readBlob, storeProvider } from './reader'
import { sweepIngestDirs, type SweepResult } from './sweep'
import {
  deleteContent,
  deleteIngest,
  getContent,
  getIngest,
  getLabels,
  listContent,
  listIngests,
  setLabels,
  touchContent,
  writeTx,
  type ContentRow,
  type IngestRow,
} from './records'
import type { Info, Status, StoreOptions, Writer, WriterOptions } from './types'
import { activeWriters, type StoreContext } from './writer'

export type { Info, Status, Writer, WriterOptions, StoreOptions, CommitOptions } from './types'
export type { Provider } from './provider'
export { writeBlob, writeStream, ingestFile, openWriter, type WriteOptions } from './copy'
export { isRefLocked, INGEST_EXPIRY_MS } from './open'

function toInfo(r: ContentRow, labels: Record<string, string>): Info {
  return {
    digest: r.digest,
    size: r.size,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    labels,
  }
}

export class ContentStore {
  readonly root: string
  readonly db: Database
  private readonly ctx: StoreContext

  constructor(root: string, db: Database, opts: StoreOptions = {}) {
    try {
      ensureLayout(root)
    } catch (e) {
      throw ioError(e, `preparing the content store at ${root}`)
    }
    this.root = root
    this.db = db
    this.ctx = {
      root,
      db,
      now: opts.now ?? (() => new Date()),
      policy: opts.policy ?? 'shared',
      probe: opts.probe ?? systemProbe(),
      dirSync: opts.dirSync ?? fsyncDir,
    }
  }

  /**
   * NotFound when the namespace has no record; an invalid digest string is simply not found. With a
   * lease, a blob that is there is attached to it in the same transaction, as containerd's writer-open
   * does for content that exists: an import or pull that finds a blob present relies on it staying.
   */
  async info(ns: string, digest: Digest, opts: { lease?: string } = {}): Promise<Info> {
    validateNamespace(ns)
    const read = () => {
      const row = isDigest(digest) ? getContent(this.db, ns, digest) : undefined
      if (!row) throw notFound(`content digest ${String(digest)}: not found`)
      if (opts.lease !== undefined) leaseResource(this.db, ns, opts.lease, 'content', digest)
      return toInfo(row, getLabels(this.db, ns, digest))
    }
    return opts.lease === undefined ? read() : writeTx(this.db, `leasing content ${String(digest)}`, read)
  }

  /** Only labels change: no fieldpaths or `labels` replaces them all, `labels.KEY` sets or removes one. */
  async update(
    ns: string,
    info: { digest: Digest; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): Promise<Info> {
    return this.updateSync(ns, info, ...fieldpaths)
  }

  /**
   * update(), answered synchronously, so that a caller can make it one step with a check of its own
   * inside its writeTx (the app's label editor: "unchanged since I read it" and the write together).
   */
  updateSync(
    ns: string,
    info: { digest: Digest; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): Info {
    validateNamespace(ns)
    const digest = info?.digest
    const given = info?.labels ?? {}
    const at = this.ctx.now().getTime()
    return writeTx(this.db, `updating content ${String(digest)}`, () => {
      const row = isDigest(digest) ? getContent(this.db, ns, digest) : undefined
      if (!row) throw notFound(`content digest ${String(digest)}: not found`)
      // A Map, so that a key such as "__proto__" is a key like any other.
      let labels = new Map(Object.entries(given))
      if (fieldpaths.length > 0) {
        labels = new Map(Object.entries(getLabels(this.db, ns, digest)))
        for (const path of fieldpaths) {
          if (path.startsWith('labels.')) {
            const key = path.slice('labels.'.length)
            if (Object.hasOwn(given, key)) labels.set(key, given[key])
            else labels.delete(key)
          } else if (path === 'labels') {
            labels = new Map(Object.entries(given))
          } else {
            throw invalidArgument(
              `cannot update "${path}" field on content info "${digest}": only labels are mutable`,
            )
          }
        }
      }
      for (const [k, v] of labels) {
        try {
          validateLabel(k, v)
        } catch (e) {
          throw wrap(e, 'info.Labels')
        }
        if (v === '') labels.delete(k)
      }
      const kept = Object.fromEntries(labels)
      setLabels(this.db, ns, digest, kept)
      touchContent(this.db, ns, digest, at)
      return toInfo({ ...row, updated_at: at }, kept)
    })
  }

  /** Visits the namespace's blobs in digest order; filters (OR) may use `digest` and `labels.KEY`. */
  async walk(ns: string, fn: (info: Info) => void | Promise<void>, ...filters: string[]): Promise<void> {
    validateNamespace(ns)
    const filter = parseAll(...filters)
    const infos = listContent(this.db, ns)
      .map((r) => toInfo(r, r.labels))
      .filter((info) => filter.match(adaptContent(info)))
    for (const info of infos) await fn(info)
  }

  /** Removes the namespace's record; the file goes at the next GC once no namespace has one. */
  async delete(ns: string, digest: Digest): Promise<void> {
    validateNamespace(ns)
    writeTx(this.db, `deleting content ${String(digest)}`, () => {
      if (!isDigest(digest) || !deleteContent(this.db, ns, digest)) {
        throw notFound(`content digest ${String(digest)}: not found`)
      }
      markDirty(this.db)
    })
  }

  writer(ns: string, opts: WriterOptions): Promise<Writer> {
    return openIngestWriter(this.ctx, ns, opts)
  }

  async status(ns: string, ref: string): Promise<Status> {
    validateNamespace(ns)
    const row = getIngest(this.db, ns, ref)
    const st = row && this.ingestStatus(row)
    if (!st) throw notFound(`reference ${ref}: not found`)
    return st
  }

  /** Statuses of the namespace's ingests in ref order; filters may use only `ref`. */
  async listStatuses(ns: string, ...filters: string[]): Promise<Status[]> {
    validateNamespace(ns)
    const filter = parseAll(...filters)
    const out: Status[] = []
    for (const row of listIngests(this.db, ns)) {
      const st = this.ingestStatus(row)
      if (st && filter.match(adaptContentStatus(st))) out.push(st)
    }
    return out
  }

  /** An open writer in this process knows best; otherwise the ingest's files. Undefined when nothing is on disk. */
  private ingestStatus(row: IngestRow): Status | undefined {
    const dir = ingestDir(this.root, row.backend_ref)
    const active = activeWriters.get(dir)
    if (active) return active.snapshot()
    const files = readIngest(dir)
    if (!files) return undefined
    return {
      ref: row.ref,
      offset: files.size,
      total: files.total,
      startedAt: files.startedAt,
      updatedAt: files.updatedAt,
    }
  }

  /**
   * Removes an ingest; NotFound for an unknown ref. As in containerd, an open writer does not stop it:
   * that writer's later writes and its commit fail, and the ref stays locked until it closes.
   */
  async abort(ns: string, ref: string): Promise<void> {
    validateNamespace(ns)
    const row = getIngest(this.db, ns, ref)
    if (!row) throw notFound(`reference ${ref}: not found`)
    const dir = ingestDir(this.root, row.backend_ref)
    let locked = true
    try {
      lockIngest(dir, row.backend_ref, this.ctx.probe)
    } catch (e) {
      if (!isRefLocked(e)) throw e
      locked = false
    }
    try {
      writeTx(this.db, `aborting ref ${ref}`, () => {
        if (!deleteIngest(this.db, ns, ref)) throw notFound(`reference ${ref}: not found`)
        this.db
          .prepare(`DELETE FROM lease_resources WHERE namespace = ? AND kind = 'ingest' AND key = ?`)
          .run(ns, ref)
      })
    } catch (e) {
      if (locked) unlock(dir)
      throw e
    }
    if (locked) return removeIngestDir(dir)
    // The writer keeps its lock and removes the directory when it closes; its data goes now.
    activeWriters.get(dir)?.markAborted()
    try {
      clearIngest(dir)
    } catch {
      // Windows may refuse to remove a file another process has open: that writer's close (or the
      // sweep, once it is gone) removes the directory.
    }
  }

  provider(ns: string): Provider {
    return storeProvider(this.ctx, ns)
  }

  /** content.ReadBlob: desc.data when valid, else the namespace's blob (NotFound if it has none). */
  readBlob(ns: string, desc: Descriptor): Promise<Uint8Array> {
    return readBlob(this.ctx, ns, desc)
  }

  /** Pipes a stream through a writer and commits it (AlreadyExists counts as success). */
  writeStream(
    ns: string,
    ref: string,
    readable: NodeJS.ReadableStream,
    desc: Descriptor,
    opts?: WriteOptions,
  ): Promise<void> {
    return writeStream(this, ns, ref, readable, desc, opts)
  }

  /** Copies a file in through a writer and commits it, resuming a partial ingest of the same ref. */
  ingestFile(ns: string, ref: string, path: string, desc: Descriptor, opts?: WriteOptions): Promise<void> {
    return ingestFile(this, ns, ref, path, desc, opts)
  }

  /**
   * Removes ingest directories no ingest row or live writer owns (crash leftovers), older than a
   * minute (by the wall clock: it compares file times). Safe to call at any time, e.g. after a GC.
   */
  sweepIngestDirs(): SweepResult {
    return sweepIngestDirs(this.root, this.db, new Date(), this.ctx.probe)
  }

  /** Where a committed blob's bytes are (whether or not a namespace records it). */
  blobPath(digest: Digest): string {
    return blobPath(this.root, digest)
  }
}
