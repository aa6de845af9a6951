// Opening a writer: containerd's metadata Writer() (core/metadata/content.go) over the local store's
// writer() (plugins/content/local/store.go), with the ingest lock on disk.
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { touchNamespace } from '../db'
import { alreadyExists, invalidArgument, unavailable, type BerthError } from '../errors'
import { leaseResource, requireLease } from '../leases'
import { validateNamespace } from '../namespace'
import { parseDigest, type Digest } from '../oci'
import {
  backendRef,
  clearIngest,
  createIngest,
  dataPath,
  ingestDir,
  readIngest,
  type IngestFiles,
} from './ingest'
import { ioError, statBlob } from './layout'
import { tryLock, unlock, type ProcessProbe } from './lock'
import {
  getContent,
  getIngest,
  heldByShareableNamespace,
  insertIngest,
  updateIngest,
  writeTx,
} from './records'
import type { WriterOptions } from './types'
import { hashFile, IngestWriter, type StoreContext } from './writer'

/** An ingest opened outside a lease may be aborted by GC after this long (containerd's 24 h). */
export const INGEST_EXPIRY_MS = 24 * 60 * 60 * 1000

const lockErrors = new WeakSet<BerthError>()

/** True for the Unavailable that means "another writer holds this ref" (worth waiting for). */
export function isRefLocked(e: unknown): boolean {
  return typeof e === 'object' && e !== null && lockErrors.has(e as BerthError)
}

/**
 * Locks an ingest directory, creating it if needed; Unavailable when a live writer holds it, with
 * `advice` saying what to do about that.
 */
export function lockIngest(
  dir: string,
  bref: string,
  probe: ProcessProbe,
  advice: () => string = () => 'wait for that writer to commit or close',
): void {
  for (let attempt = 0; ; attempt++) {
    let r: ReturnType<typeof tryLock>
    try {
      mkdirSync(dir, { recursive: true })
      r = tryLock(dir, probe)
    } catch (e) {
      // The directory was removed between mkdir and the lock (a commit or abort finishing): again.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 10) continue
      throw ioError(e, `locking ingest ${bref}`)
    }
    if (r.ok) return
    const err = unavailable(`ref ${bref} locked for write by process ${r.owner}: ${advice()}`)
    lockErrors.add(err)
    throw err
  }
}

function checkOptions(opts: WriterOptions): { ref: string; size: number; digest?: Digest; lease?: string } {
  const ref = opts?.ref
  if (typeof ref !== 'string' || ref === '') throw invalidArgument('ref must not be empty')
  const size = opts.desc?.size ?? 0
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalidArgument(
      `writer for ref ${ref}: desc.size must be a non-negative integer, got ${String(size)}`,
    )
  }
  const d = opts.desc?.digest
  const digest = d === undefined || d === '' ? undefined : parseDigest(d)
  const lease = opts.lease
  if (lease !== undefined && (typeof lease !== 'string' || lease === '')) {
    throw invalidArgument(`writer for ref ${ref}: lease must be a non-empty lease id`)
  }
  return { ref, size, digest, lease }
}

export async function openIngestWriter(
  ctx: StoreContext,
  ns: string,
  opts: WriterOptions,
): Promise<IngestWriter> {
  validateNamespace(ns)
  const { ref, size, digest, lease } = checkOptions(opts)
  const { db, root } = ctx

  if (digest) {
    const exists = writeTx(db, `opening writer for ref ${ref}`, () => {
      if (!getContent(db, ns, digest)) return false
      // Leased even though no writer is returned, so the caller's lease protects what it relies on.
      if (lease) leaseResource(db, ns, lease, 'content', digest)
      return true
    })
    if (exists) throw alreadyExists(`content ${digest}: already exists`)
  }

  const bref = backendRef(ns, ref)
  const dir = ingestDir(root, bref)
  lockIngest(dir, bref, ctx.probe, () =>
    // No ingest row behind a live lock: its writer was aborted (or is a moment from creating it), so
    // there is nothing to abort; the ref is free once that writer closes.
    getIngest(db, ns, ref)
      ? 'wait for that writer to commit or close, or abort the ref'
      : 'wait for that writer to close',
  )
  try {
    const now = ctx.now()
    const at = now.getTime()
    const plan = writeTx(db, `opening writer for ref ${ref}`, () => {
      if (lease) requireLease(db, ns, lease)
      // containerd's "shared" policy: a blob any namespace committed is reused without rewriting it;
      // "isolated": only one a shareable namespace holds.
      let shared: { digest: Digest; size: number } | undefined
      if (digest && (ctx.policy === 'shared' || heldByShareableNamespace(db, digest))) {
        const st = statBlob(root, digest)
        if (st && (size === 0 || size === st.size)) shared = { digest, size: st.size }
      }
      const row = getIngest(db, ns, ref)
      const expected = shared?.digest ?? null
      if (!row) {
        insertIngest(db, {
          namespace: ns,
          ref,
          backend_ref: bref,
          expected,
          total: shared?.size ?? size,
          lease: lease ?? null,
          created_at: at,
          expires_at: lease ? null : at + INGEST_EXPIRY_MS,
        })
      } else {
        updateIngest(
          db,
          ns,
          ref,
          lease ? { expected, lease } : { expected, expires_at: at + INGEST_EXPIRY_MS },
        )
      }
      if (lease) leaseResource(db, ns, lease, 'ingest', ref)
      touchNamespace(db, ns, at)
      return { shared, existed: row !== undefined }
    })

    const base = { ns, ref, bref, dir, lease }
    if (plan.shared) {
      clearIngest(dir)
      const { size: n } = plan.shared
      return new IngestWriter(ctx, {
        ...base,
        fh: null,
        hash: createHash('sha256'),
        offset: n,
        total: n,
        startedAt: now,
        updatedAt: now,
        shared: plan.shared,
      })
    }

    let files: IngestFiles | undefined = plan.existed ? readIngest(dir) : undefined
    // A mismatched total means the caller now expects another blob under this ref: start over.
    if (files && (files.ref !== bref || (size > 0 && files.total > 0 && size !== files.total)))
      files = undefined
    if (!files) {
      createIngest(dir, bref, size, now)
      files = { ref: bref, startedAt: now, updatedAt: now, total: size, size: 0 }
    }
    // A commit that crashed between making the data read-only and moving it leaves it read-only.
    chmodSync(dataPath(dir), 0o644)
    const fh = await open(dataPath(dir), 'r+')
    const hash = createHash('sha256')
    let offset = 0
    try {
      // Resuming: the running hash must cover what is already there.
      offset = await hashFile(fh, hash)
    } catch (e) {
      await fh.close()
      throw e
    }
    return new IngestWriter(ctx, {
      ...base,
      fh,
      hash,
      offset,
      total: files.total,
      startedAt: files.startedAt,
      updatedAt: files.updatedAt,
    })
  } catch (e) {
    unlock(dir)
    throw ioError(e, `opening writer for ref ${ref}`)
  }
}
