// The shared bytes on disk, kept as an OCI image layout so skopeo/umoci (and export) can read the
// store directly: <root>/oci-layout, <root>/index.json, <root>/blobs/<alg>/<hex>. Namespaces never
// show here; they exist only as database records.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs'
import { join } from 'node:path'
import { BerthError, failedPrecondition, notFound, unavailable } from '../errors'
import type { Digest } from '../oci'

export const OCI_LAYOUT_FILE = 'oci-layout'
export const OCI_LAYOUT_VERSION = '1.0.0'
export const INDEX_FILE = 'index.json'
export const BLOBS_DIR = 'blobs'
export const INGEST_DIR = 'ingest'

/** Creates the layout skeleton if missing; never rewrites an existing oci-layout or index.json. */
export function ensureLayout(root: string): void {
  // blobs/sha256 exists from the start: tools listing the layout (and the crash test) expect it.
  mkdirSync(join(root, BLOBS_DIR, 'sha256'), { recursive: true })
  mkdirSync(join(root, INGEST_DIR), { recursive: true })
  writeIfMissing(join(root, OCI_LAYOUT_FILE), JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }))
  writeIfMissing(join(root, INDEX_FILE), JSON.stringify({ schemaVersion: 2, manifests: [] }))
}

function writeIfMissing(file: string, text: string): void {
  try {
    statSync(file)
    return
  } catch {
    // absent: create it below
  }
  // Through a temporary name so a concurrent opener or a crash never sees a half-written file.
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

/** The digest's algorithm and hex, assuming it was validated (parseDigest) by the caller. */
export function splitDigest(d: Digest): { alg: string; hex: string } {
  const i = d.indexOf(':')
  return { alg: d.slice(0, i), hex: d.slice(i + 1) }
}

export function blobDir(root: string, alg: string): string {
  return join(root, BLOBS_DIR, alg)
}

export function blobPath(root: string, d: Digest): string {
  const { alg, hex } = splitDigest(d)
  return join(root, BLOBS_DIR, alg, hex)
}

export function statBlob(root: string, d: Digest): Stats | undefined {
  try {
    const st = statSync(blobPath(root, d))
    return st.isFile() ? st : undefined
  } catch {
    return undefined
  }
}

/** Makes a rename or unlink in dir durable: the directory entry itself must reach the disk. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * How an OS says it does not fsync directories: Windows answers EPERM to FlushFileBuffers on a
 * directory handle, and EISDIR or EINVAL where a directory cannot be opened or synced at all. There
 * the rename is as durable as that OS makes it, and failing the commit would only lose the blob.
 */
const DIR_SYNC_REFUSED = new Set(['EPERM', 'EISDIR', 'EINVAL', 'ENOTSUP', 'EBADF'])

/** dirSync(dir), except where the OS refuses to sync directories; false then. Other errors throw. */
export function syncDirBestEffort(dir: string, dirSync: (dir: string) => void = fsyncDir): boolean {
  try {
    dirSync(dir)
    return true
  } catch (e) {
    if (DIR_SYNC_REFUSED.has((e as NodeJS.ErrnoException)?.code ?? '')) return false
    throw e
  }
}

/** A failed file-system call as a BerthError naming what was being done; a full disk says so. */
export function ioError(e: unknown, what: string): BerthError {
  if (e instanceof BerthError) return e
  const code = (e as NodeJS.ErrnoException)?.code
  const msg = e instanceof Error ? e.message : String(e)
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return unavailable(`${what}: no space left on device (${code}); free some space and retry`, e)
  }
  if (code === 'ENOENT') return notFound(`${what}: ${msg}`, e)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return failedPrecondition(
      `${what}: permission denied (${code}); check the store directory's permissions`,
      e,
    )
  }
  return unavailable(`${what}: ${msg}`, e)
}
