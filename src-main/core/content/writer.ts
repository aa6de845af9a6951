// A Writer over one ingest: bytes go straight to the ingest's data file while a running hash follows
// them, so nothing is held in memory and commit needs no second pass. Commit makes the blob durable
// (fsync data, rename into blobs/, fsync the directory) before the database records it, so a record
// never points at a missing or partial file.
import { createHash, type Hash } from 'node:crypto'
import { chmodSync, mkdirSync, renameSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { Database } from '../db'
import { touchNamespace } from '../db'
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  notFound,
  unavailable,
  wrap,
  type BerthError,
} from '../errors'
import { validateLabel } from '../labels'
import { leaseResource, requireLease, unleaseResource } from '../leases'
import { isDigest, type Digest, type DigestAlgorithm } from '../oci'
import { createIngest, dataPath, removeIngestDir, writeUpdatedAt } from './ingest'
import { blobDir, blobPath, ioError, splitDigest, statBlob, syncDirBestEffort } from './layout'
import { unlock, type ProcessProbe } from './lock'
import { deleteIngest, getContent, ingestExists, insertContent, updateIngest, writeTx } from './records'
import type { CommitOptions, Status, Writer } from './types'

export interface StoreContext {
  root: string
  db: Database
  now: () => Date
  policy: 'shared' | 'isolated'
  probe: ProcessProbe
  dirSync: (dir: string) => void
}

/** Writers open in this process, by ingest directory: their status is fresher than the files. */
export const activeWriters = new Map<string, IngestWriter>()

/** Reads of existing data (resume, re-hash, unshare) go through one buffer of this size. */
export const IO_CHUNK = 4 << 20

/**
 * Written bytes after which the writer asks the OS to start putting them on disk (a datasync it does not
 * wait for). Without it a large blob's pages all wait for commit's fsync, which then writes the whole
 * blob while nothing else happens; with it the disk works while bytes still arrive. Commit's fsync
 * stays the one durability point.
 */
export const EARLY_SYNC = 16 << 20

export interface WriterInit {
  ns: string
  ref: string
  bref: string
  dir: string
  lease?: string
  fh: FileHandle | null
  hash: Hash
  offset: number
  total: number
  startedAt: Date
  updatedAt: Date
  /** Set when the blob already exists on disk: the writer starts complete and writes nothing. */
  shared?: { digest: Digest; size: number }
}

type Outcome = 'committed' | 'exists'

export class IngestWriter implements Writer {
  readonly ref: string
  private s: WriterInit
  private closed = false
  private lockHeld = true
  private broken: unknown
  private chain: Promise<unknown> = Promise.resolve()
  /** Set by an abort in this process, or found out from the database (an abort in another one). */
  private aborted = false
  /** The early datasync in flight, and the offset the last one covered. */
  private syncing: Promise<void> | undefined
  private syncedTo = 0

  constructor(
    private readonly ctx: StoreContext,
    init: WriterInit,
  ) {
    this.s = init
    this.ref = init.ref
    activeWriters.set(init.dir, this)
  }

  write(data: Uint8Array): Promise<number> {
    return this.serial(async () => {
      this.usable()
      if (!(data instanceof Uint8Array))
        throw invalidArgument(`write to ref ${this.ref}: data must be a Uint8Array`)
      if (data.length === 0) return 0
      if (this.s.shared) await this.unshare(true)
      await this.append(data)
      return data.length
    })
  }

  /** Writes at the current offset and hashes the same bytes while the write is in flight. */
  private async append(data: Uint8Array): Promise<void> {
    const fh = this.s.fh as FileHandle
    const saved = this.s.hash.copy()
    try {
      const first = fh.write(data, 0, data.length, this.s.offset)
      this.s.hash.update(data)
      let done = (await first).bytesWritten
      while (done < data.length) {
        const { bytesWritten } = await fh.write(data, done, data.length - done, this.s.offset + done)
        if (bytesWritten === 0) throw Object.assign(new Error('short write'), { code: 'EIO' })
        done += bytesWritten
      }
    } catch (e) {
      // Drop the partial chunk so the file and the hash agree again; a resume re-hashes the file anyway.
      this.s.hash = saved
      try {
        await fh.truncate(this.s.offset)
      } catch {
        this.broken = e
      }
      throw ioError(e, `write to ingest ${this.ref} at offset ${this.s.offset}`)
    }
    this.s.offset += data.length
    this.s.updatedAt = this.ctx.now()
    if (!this.syncing && this.s.offset - this.syncedTo >= EARLY_SYNC) this.syncEarly(fh)
  }

  private syncEarly(fh: FileHandle): void {
    const to = this.s.offset
    this.syncing = fh.datasync().then(
      () => {
        this.syncedTo = to
        this.syncing = undefined
      },
      (e: unknown) => {
        // Linux reports a write-back error once per open file: had this sync swallowed it, commit's
        // fsync could succeed over lost bytes. So the writer is broken, as after a failed write.
        this.broken ??= e
        this.syncing = undefined
      },
    )
  }

  commit(size: number, expected?: Digest, opts?: CommitOptions): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw failedPrecondition(`cannot commit on closed writer (ref ${this.ref})`)
      let done = false
      try {
        if (this.aborted) throw this.abortedError()
        if (this.broken)
          throw unavailable(`writer for ref ${this.ref} failed earlier: reopen the ref to resume`)
        if (typeof size !== 'number' || !Number.isSafeInteger(size)) {
          throw invalidArgument(`commit of ref ${this.ref}: size must be an integer, got ${String(size)}`)
        }
        const exp = expected ?? ''
        if (exp !== '' && !isDigest(exp))
          throw invalidArgument(`commit of ref ${this.ref}: invalid expected digest ${exp}`)
        const labels = { ...(opts?.labels ?? {}) }
        for (const [k, v] of Object.entries(labels)) {
          try {
            validateLabel(k, v)
          } catch (e) {
            throw wrap(e, 'info.Labels')
          }
        }
        const dgst = this.s.shared ? this.checkShared(size, exp) : await this.checkData(size, exp)
        const outcome = this.record(dgst, labels)
        done = true
        if (outcome === 'exists') throw alreadyExists(`content ${dgst}: already exists`)
      } finally {
        if (done) {
          removeIngestDir(this.s.dir)
          this.lockHeld = false
        }
        await this.release()
      }
    })
  }

  private checkShared(size: number, exp: string): Digest {
    const { digest, size: have } = this.s.shared as { digest: Digest; size: number }
    if (size !== 0 && size !== have) {
      throw failedPrecondition(`"${this.ref}" failed size validation: ${have} != ${size}`)
    }
    if (exp !== '' && exp !== digest)
      throw failedPrecondition(`"${this.ref}" unexpected digest ${digest}, expected ${exp}`)
    return digest
  }

  /** Size and digest checks over the written data; on failure the ingest stays for a resume. */
  private async checkData(size: number, exp: string): Promise<Digest> {
    const fh = this.s.fh as FileHandle
    await this.syncing
    if (this.broken) throw ioError(this.broken, `early sync of ingest ${this.ref}`)
    try {
      await fh.sync()
    } catch (e) {
      throw ioError(e, `sync of ingest ${this.ref}`)
    }
    if (size !== 0 && size !== this.s.offset) {
      throw failedPrecondition(`"${this.ref}" failed size validation: ${this.s.offset} != ${size}`)
    }
    let dgst = this.digest()
    if (exp !== '' && !exp.startsWith('sha256:')) {
      dgst = await rehash(fh, exp.slice(0, exp.indexOf(':')) as DigestAlgorithm, this.s.offset)
    }
    if (exp !== '' && exp !== dgst) {
      throw failedPrecondition(`unexpected commit digest ${dgst}, expected ${exp} (ref ${this.ref})`)
    }
    return dgst
  }

  /** One transaction: blob into place (if not already there) and its namespaced record. */
  private record(dgst: Digest, labels: Record<string, string>): Outcome {
    const { db, root } = this.ctx
    const { ns, ref, lease, shared } = this.s
    const size = shared ? shared.size : this.s.offset
    const at = this.ctx.now().getTime()
    const finish = () => {
      deleteIngest(db, ns, ref)
      if (lease) {
        unleaseResource(db, ns, lease, 'ingest', ref)
        leaseResource(db, ns, lease, 'content', dgst)
      }
    }
    return writeTx(db, `commit of ref ${ref}`, (): Outcome => {
      if (!this.ingestRowExists()) {
        this.aborted = true
        throw this.abortedError()
      }
      if (lease) requireLease(db, ns, lease)
      if (getContent(db, ns, dgst)) {
        finish()
        return 'exists'
      }
      const st = statBlob(root, dgst)
      const onDisk = st !== undefined && st.size === size
      if (shared && !onDisk) {
        throw notFound(
          `blob ${dgst} left the store while ref ${ref} was open (garbage-collected?): write it again`,
        )
      }
      // Inside the transaction, so a GC (which deletes files under the same lock) cannot sweep the
      // new file before its record exists.
      if (!onDisk) this.moveIntoPlace(dgst)
      try {
        insertContent(db, ns, dgst, size, at, labels)
        finish()
        touchNamespace(db, ns, at)
      } catch (e) {
        if (!onDisk) this.moveBack(dgst)
        throw e
      }
      return 'committed'
    })
  }

  /**
   * Renames the ingest's data to its blob name. Should the rename not be made durable, the blob goes
   * back to the ingest: a file in blobs/ without a record would be an orphan, and the ingest resumes.
   */
  private moveIntoPlace(dgst: Digest): void {
    const { root } = this.ctx
    const dir = blobDir(root, splitDigest(dgst).alg)
    const data = dataPath(this.s.dir)
    try {
      mkdirSync(dir, { recursive: true })
      // Read-only before it is visible, so no crash leaves a writable file in blobs/.
      chmodSync(data, 0o444)
      renameSync(data, blobPath(root, dgst))
    } catch (e) {
      throw ioError(e, `moving ingest ${this.ref} into the blob store`)
    }
    try {
      syncDirBestEffort(dir, this.ctx.dirSync)
    } catch (e) {
      this.moveBack(dgst)
      throw ioError(e, `making blob ${dgst} of ingest ${this.ref} durable`)
    }
  }

  private moveBack(dgst: Digest): void {
    const data = dataPath(this.s.dir)
    try {
      renameSync(blobPath(this.ctx.root, dgst), data)
      chmodSync(data, 0o644)
    } catch {
      // Left in blobs/ without a record: GC reclaims it, and the ingest starts over.
    }
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (!this.closed) await this.release()
    })
  }

  status(): Promise<Status> {
    return Promise.resolve(this.snapshot())
  }

  snapshot(): Status {
    const { ref, offset, total, startedAt, updatedAt } = this.s
    return { ref, offset, total, startedAt, updatedAt }
  }

  digest(): Digest {
    if (this.s.shared) return this.s.shared.digest
    return `sha256:${this.s.hash.copy().digest('hex')}`
  }

  truncate(size: number): Promise<void> {
    return this.serial(async () => {
      if (size !== 0)
        throw invalidArgument(`truncate of ref ${this.ref}: only size 0 is supported, got ${size}`)
      this.usable()
      if (this.s.shared) return this.unshare(false)
      try {
        await this.syncing
        this.syncedTo = 0
        await (this.s.fh as FileHandle).truncate(0)
      } catch (e) {
        throw ioError(e, `truncate of ingest ${this.ref}`)
      }
      this.s.hash = createHash('sha256')
      this.s.offset = 0
      this.s.updatedAt = this.ctx.now()
    })
  }

  /**
   * Turns a shared (pre-filled) writer into a real ingest: with copy, of the shared blob's bytes so
   * writing can append to them (containerd's createAndCopy); without, empty.
   */
  private async unshare(copy: boolean): Promise<void> {
    const { digest, size } = this.s.shared as { digest: Digest; size: number }
    const total = copy ? size : 0
    try {
      createIngest(this.s.dir, this.s.bref, total, this.s.startedAt)
      this.s.fh = await open(dataPath(this.s.dir), 'r+')
      this.s.hash = createHash('sha256')
      this.s.offset = 0
      this.s.total = total
      this.s.shared = undefined
      if (copy) await this.copyBlob(digest)
      writeTx(this.ctx.db, `unsharing ref ${this.ref}`, () =>
        updateIngest(this.ctx.db, this.s.ns, this.ref, { expected: null, total }),
      )
    } catch (e) {
      this.broken = e
      throw ioError(e, `copying shared blob ${digest} into ingest ${this.ref}`)
    }
  }

  private async copyBlob(d: Digest): Promise<void> {
    const src = await open(blobPath(this.ctx.root, d), 'r')
    try {
      const buf = Buffer.allocUnsafe(IO_CHUNK)
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null)
        if (bytesRead === 0) break
        await this.append(buf.subarray(0, bytesRead))
      }
    } finally {
      await src.close()
    }
  }

  private usable(): void {
    if (this.closed)
      throw failedPrecondition(`writer for ref ${this.ref} is closed: open a new one to resume`)
    // Another process's abort shows as the missing row: one primary-key lookup per write.
    if (!this.aborted && !this.ingestRowExists()) this.aborted = true
    if (this.aborted) throw this.abortedError()
    if (this.broken) {
      throw unavailable(
        `writer for ref ${this.ref} failed earlier (${String(this.broken)}): close it and reopen the ref`,
      )
    }
  }

  /** An abort (containerd's: the ingest goes, whoever writes it) reached this writer's ref. */
  markAborted(): void {
    this.aborted = true
  }

  private ingestRowExists(): boolean {
    return ingestExists(this.ctx.db, this.s.ns, this.ref, this.s.bref)
  }

  private abortedError(): BerthError {
    return notFound(`ref ${this.ref} was aborted: its ingest is gone; open a new writer to write it again`)
  }

  /** Closes the data file and gives up the ref; the ingest itself stays unless commit removed it. */
  private async release(): Promise<void> {
    this.closed = true
    activeWriters.delete(this.s.dir)
    const fh = this.s.fh
    this.s.fh = null
    await this.syncing
    if (fh) await fh.close().catch(() => undefined)
    if (this.lockHeld) {
      // An aborted ingest's directory is this writer's to remove: it still holds the lock.
      if (this.aborted || !this.ingestRowExists()) removeIngestDir(this.s.dir)
      else {
        writeUpdatedAt(this.s.dir, this.s.updatedAt)
        unlock(this.s.dir)
      }
      this.lockHeld = false
    }
  }

  /** Keeps calls in order even when a caller does not await each one. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn)
    this.chain = p.catch(() => undefined)
    return p
  }
}

/** Hashes the first `size` bytes of an open file. */
export async function hashFile(fh: FileHandle, hash: Hash, size = Infinity): Promise<number> {
  const buf = Buffer.allocUnsafe(IO_CHUNK)
  let pos = 0
  while (pos < size) {
    const want = Math.min(buf.length, size - pos)
    const { bytesRead } = await fh.read(buf, 0, want, pos)
    if (bytesRead === 0) break
    hash.update(buf.subarray(0, bytesRead))
    pos += bytesRead
  }
  return pos
}

async function rehash(fh: FileHandle, alg: DigestAlgorithm, size: number): Promise<Digest> {
  const h = createHash(alg)
  await hashFile(fh, h, size)
  return `${alg}:${h.digest('hex')}`
}
