// Ingest directories as containerd's local store lays them out: <root>/ingest/<sha256(backend ref)>/
// holding `ref`, `data`, `startedat`, `updatedat` (RFC3339) and `total` (only when known).
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { INGEST_DIR } from './layout'
import { parseRFC3339 } from '../rfc3339'
import { LOCK_FILE } from './lock'

export const DATA_FILE = 'data'

/**
 * The backend ref of a namespace's ingest. containerd's metadata store builds `<ns>/<sequence>/<ref>`
 * from a per-ref bucket sequence that is 1 for every fresh bucket, so the name is in practice fixed
 * per (namespace, ref); keeping it fixed lets a writer lock the directory before touching the database.
 */
export function backendRef(namespace: string, ref: string): string {
  return `${namespace}/1/${ref}`
}

export function ingestDir(root: string, bref: string): string {
  return join(root, INGEST_DIR, createHash('sha256').update(bref).digest('hex'))
}

export function dataPath(dir: string): string {
  return join(dir, DATA_FILE)
}

export interface IngestFiles {
  ref: string
  startedAt: Date
  updatedAt: Date
  total: number
  /** Bytes in `data`. */
  size: number
}

/** The ingest's status from its files, or undefined when it is missing or was never completely set up. */
export function readIngest(dir: string): IngestFiles | undefined {
  try {
    const size = statSync(dataPath(dir)).size
    const ref = readFileSync(join(dir, 'ref'), 'utf8')
    const startedAt = parseTime(readFileSync(join(dir, 'startedat'), 'utf8'))
    if (!startedAt) return undefined
    // updatedat is rewritten on close; a crash mid-write must not cost the data, so fall back.
    const updatedAt = parseTime(readOptional(join(dir, 'updatedat'))) ?? startedAt
    const totalText = readOptional(join(dir, 'total'))
    const total = totalText === '' ? 0 : Number(totalText)
    if (!Number.isSafeInteger(total) || total < 0) return undefined
    return { ref, startedAt, updatedAt, total, size }
  } catch {
    return undefined
  }
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return ''
  }
}

function parseTime(s: string): Date | undefined {
  const ms = parseRFC3339(s.trim())
  return ms === undefined ? undefined : new Date(ms)
}

/**
 * Starts an ingest afresh in dir (which exists and is locked by the caller): whatever an earlier,
 * abandoned ingest left is removed, except the lock. `data` is created last, so a crash in between
 * leaves an ingest that readIngest reports as missing.
 */
export function createIngest(dir: string, bref: string, total: number, now: Date): void {
  clearIngest(dir)
  writeFileSync(join(dir, 'ref'), bref)
  writeFileSync(join(dir, 'startedat'), now.toISOString())
  writeFileSync(join(dir, 'updatedat'), now.toISOString())
  if (total > 0) writeFileSync(join(dir, 'total'), String(total))
  writeFileSync(dataPath(dir), '')
}

/** Removes every file of the ingest but the lock. */
export function clearIngest(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name === LOCK_FILE) continue
    rmSync(join(dir, name), { recursive: true, force: true })
  }
}

export function writeUpdatedAt(dir: string, at: Date): void {
  try {
    writeFileSync(join(dir, 'updatedat'), at.toISOString())
  } catch {
    // the directory was removed (commit, abort): nothing to record
  }
}

let removals = 0

/**
 * Removes an ingest directory. It is first renamed aside in one step, so a writer that locks the
 * same ref meanwhile gets a fresh directory instead of losing its lock to a recursive delete.
 */
export function removeIngestDir(dir: string): void {
  const aside = `${dir}.removing.${process.pid}.${removals++}`
  try {
    renameSync(dir, aside)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw e
  }
  rmSync(aside, { recursive: true, force: true })
}
