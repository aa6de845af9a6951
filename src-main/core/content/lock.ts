// One open writer per ingest, across threads and processes: a lock file created with O_EXCL in the
// ingest directory, naming its owner. containerd keeps this lock in memory only, which is enough for
// one daemon; Berth's CLI and app may write the same store at once, so the lock lives on disk.
// A lock whose owner died (crash, SIGKILL) is stale and may be broken.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const LOCK_FILE = 'lock'

/** `pid:start` where start is the kernel's start time of the process, so a reused pid is not mistaken for the owner. */
function identity(pid: number): string | undefined {
  const start = processStart(pid)
  if (start === null) return undefined
  return start === undefined ? `${pid}` : `${pid}:${start}`
}

/** undefined: cannot tell (no /proc); null: not running (or a zombie). */
function processStart(pid: number): string | undefined | null {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    return undefined
  }
  // The command name is parenthesised and may contain spaces: fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (fields[0] === 'Z' || fields[0] === 'X') return null
  return fields[19]
}

const SELF = identity(process.pid) ?? `${process.pid}`

function ownerAlive(text: string): boolean {
  const [pidText, start] = text.trim().split(':')
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false
  }
  const now = processStart(pid)
  if (now === null) return false
  return start === undefined || now === undefined || now === start
}

export interface LockState {
  held: boolean
  owner?: string
}

/** Who holds the lock on an ingest directory, and whether that owner is still alive. */
export function inspectLock(dir: string): LockState {
  let text: string
  try {
    text = readFileSync(join(dir, LOCK_FILE), 'utf8')
  } catch {
    return { held: false }
  }
  return ownerAlive(text) ? { held: true, owner: text.trim() } : { held: false, owner: text.trim() }
}

/**
 * Takes the lock, or returns the live owner's identity. The directory must exist.
 * Breaking a stale lock renames it aside first and re-links it if it turned out to be fresh, so two
 * processes breaking the same stale lock cannot both end up holding it.
 */
export function tryLock(dir: string): { ok: true } | { ok: false; owner: string } {
  const file = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      try {
        writeSync(fd, SELF)
      } finally {
        closeSync(fd)
      }
      return { ok: true }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue // released meanwhile
    }
    // An empty file is a lock being written right now, or a crash between create and write.
    if (text === '' && attempt < 3) {
      pause(2)
      continue
    }
    if (text !== '' && ownerAlive(text)) return { ok: false, owner: text.trim() }
    const aside = `${file}.stale.${process.pid}.${attempt}`
    try {
      renameSync(file, aside)
    } catch {
      continue
    }
    let moved = ''
    try {
      moved = readFileSync(aside, 'utf8')
    } catch {
      // vanished: nothing to restore
    }
    if (moved !== text && moved !== '' && ownerAlive(moved)) {
      // We took a lock someone created after our read: give it back unless yet another one appeared.
      try {
        linkSync(aside, file)
      } catch {
        // a third party holds the lock now; the moved one is lost but its owner will fail on commit
      }
      unlinkQuiet(aside)
      return { ok: false, owner: moved.trim() }
    }
    unlinkQuiet(aside)
  }
  return { ok: false, owner: 'unknown' }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

export function unlock(dir: string): void {
  unlinkQuiet(join(dir, LOCK_FILE))
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}
