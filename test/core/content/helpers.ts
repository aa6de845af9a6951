// Shared fixtures for the content-store tests: a real temporary store directory with a real SQLite
// file, deterministic content, and the whole-store consistency check every fault test ends with.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect } from 'vitest'
import { openDatabase, type Database } from '../../../src-main/core/db'
import { isKind, type ErrorKind } from '../../../src-main/core/errors'
import { ContentStore, type Info, type Status, type Writer } from '../../../src-main/core/content/store'

export const PROJECT_ROOT = resolve(__dirname, '../../..')

export interface TestStore {
  dir: string
  root: string
  dbFile: string
  db: Database
  cs: ContentStore
  reopen(): void
  cleanup(): void
}

export function makeStore(
  opts: { now?: () => Date; dir?: string; policy?: 'shared' | 'isolated' } = {},
): TestStore {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'berth-content-'))
  const root = join(dir, 'content')
  const dbFile = join(dir, 'berth.db')
  const t: TestStore = {
    dir,
    root,
    dbFile,
    db: openDatabase(dbFile),
    cs: undefined as unknown as ContentStore,
    reopen() {
      t.db.close()
      t.db = openDatabase(dbFile)
      t.cs = new ContentStore(root, t.db, { now: opts.now, policy: opts.policy })
    },
    cleanup() {
      try {
        t.db.close()
      } catch {
        // already closed
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  t.cs = new ContentStore(root, t.db, { now: opts.now, policy: opts.policy })
  return t
}

let seed = 0
/** Deterministic pseudo-random bytes, different on every call (containerd's createContent). */
export function createContent(size: number): { data: Buffer; digest: string } {
  seed++
  const data = Buffer.alloc(size)
  let block = Buffer.alloc(0)
  for (let off = 0, ctr = 0; off < size; off += block.length, ctr++) {
    block = createHash('sha512').update(`${seed}:${ctr}`).digest()
    block.copy(data, off, 0, Math.min(block.length, size - off))
  }
  return { data, digest: sha256(data) }
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

export async function expectKind(
  p: Promise<unknown> | (() => unknown),
  kind: ErrorKind,
  message?: RegExp,
): Promise<Error> {
  let err: unknown
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    err = e
  }
  if (err === undefined) throw new Error(`expected a ${kind} error, but the call succeeded`)
  if (!isKind(err, kind)) throw new Error(`expected ${kind}, got ${String((err as Error)?.stack ?? err)}`)
  if (message) expect((err as Error).message).toMatch(message)
  return err as Error
}

/** containerd's checkStatus: fields and time windows. */
export async function checkStatus(
  w: Writer,
  expected: { ref: string; offset: number; total: number },
  digest: string,
  started: [Date, Date],
  updated: [Date, Date],
): Promise<Status> {
  const st = await w.status()
  expect(w.digest()).toBe(digest)
  expect({ ref: st.ref, offset: st.offset, total: st.total }).toEqual(expected)
  within(st.startedAt, started, 'startedAt')
  within(st.updatedAt, updated, 'updatedAt')
  return st
}

/** containerd's checkInfo. */
export async function checkInfo(
  cs: ContentStore,
  ns: string,
  digest: string,
  expected: { size: number; labels?: Record<string, string> },
  created: [Date, Date],
  updated: [Date, Date],
): Promise<Info> {
  const info = await cs.info(ns, digest)
  expect(info.digest).toBe(digest)
  expect(info.size).toBe(expected.size)
  within(info.createdAt, created, 'createdAt')
  within(info.updatedAt, updated, 'updatedAt')
  expect(info.labels).toEqual(expected.labels ?? {})
  return info
}

function within(t: Date, [lo, hi]: [Date, Date], what: string): void {
  // Stored times have millisecond resolution, as Date has.
  if (t.getTime() < lo.getTime() || t.getTime() > hi.getTime()) {
    throw new Error(`${what} ${t.toISOString()} not within ${lo.toISOString()}..${hi.toISOString()}`)
  }
}

/** Every blob file hashes to its name; every record has its file of the right size; the DB is sound. */
export function checkConsistency(root: string, db: Database): { blobs: number; records: number } {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  expect(db.pragma('foreign_key_check')).toEqual([])
  let blobs = 0
  const algDir = join(root, 'blobs', 'sha256')
  if (existsSync(algDir)) {
    for (const name of readdirSync(algDir)) {
      const path = join(algDir, name)
      const d = `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`
      expect(d, `blob file ${name} hashes to its name`).toBe(`sha256:${name}`)
      expect(statSync(path).mode & 0o222, `blob ${name} is read-only`).toBe(0)
      blobs++
    }
  }
  const rows = db.prepare('SELECT namespace, digest, size FROM content').all() as {
    namespace: string
    digest: string
    size: number
  }[]
  for (const r of rows) {
    const path = join(root, 'blobs', ...r.digest.split(':'))
    expect(existsSync(path), `record ${r.namespace} ${r.digest} has its file`).toBe(true)
    expect(statSync(path).size).toBe(r.size)
  }
  return { blobs, records: rows.length }
}

/** Spawns a TypeScript script under tsx with this project's node. */
export function spawnTs(
  script: string,
  args: string[],
  opts: { stdio?: 'pipe' | 'inherit'; stdin?: boolean } = {},
): ChildProcess {
  const stdin = opts.stdin ? 'pipe' : 'ignore'
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    stdio: opts.stdio === 'inherit' ? [stdin, 'inherit', 'inherit'] : [stdin, 'pipe', 'pipe'],
  })
}

/** Resolves with the exit code (or signal) and everything the child printed. */
export function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  let out = ''
  let err = ''
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()))
  return new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, out, err })))
}

/** Resolves when the child prints a line matching re. */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((res, rej) => {
    let buf = ''
    const timer = setTimeout(
      () => rej(new Error(`child did not print ${re} within ${timeoutMs} ms: ${buf}`)),
      timeoutMs,
    )
    const onData = (b: Buffer) => {
      buf += b.toString()
      const line = buf.split('\n').find((l) => re.test(l))
      if (line !== undefined) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        res(line)
      }
    }
    child.stdout?.on('data', onData)
    child.on('exit', () => {
      clearTimeout(timer)
      rej(new Error(`child exited before printing ${re}: ${buf}`))
    })
  })
}
