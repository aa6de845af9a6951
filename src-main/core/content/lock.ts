// One open writer per ingest, across threads and processes: a lock file created with O_EXCL in the
// ingest directory, naming its owner. containerd keeps this lock in memory only, which is enough for
// one daemon; Berth's CLI and app may write the same store at once, so the lock lives on disk.
// A lock whose owner died (crash, SIGKILL) is stale and may be broken; whether it died is the
// process probe's call (process-probe.ts), which errs towards "alive" wherever the OS cannot tell.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { osProbe, sameStart, type ProcessProbe } from './process-probe'

export type { ProcessProbe } from './process-probe'

export const LOCK_FILE = 'lock'

let defaultProbe: ProcessProbe | undefined
/** The probe for this OS, made on first use. */
export function systemProbe(): ProcessProbe {
  return (defaultProbe ??= osProbe())
}

const identities = new WeakMap<ProcessProbe, string>()
/** `pid:<start>` (or a bare pid when the start is unknown), as this process writes it into a lock. */
function identity(probe: ProcessProbe): string {
  let id = identities.get(probe)
  if (id === undefined) {
    const start = probe.self()
    id = start === undefined ? `${process.pid}` : `${process.pid}:${start}`
    identities.set(probe, id)
  }
  return id
}

/** Parses a lock's text: `pid`, `pid:boot:<ticks>`, `pid:at:<ms>`, or (older Berth) `pid:<ticks>`. */
function parseOwner(text: string): { pid: number; start?: string } | undefined {
  const t = text.trim()
  const i = t.indexOf(':')
  const pidText = i < 0 ? t : t.slice(0, i)
  if (!/^\d+$/.test(pidText)) return undefined
  const pid = Number(pidText)
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  if (i < 0) return { pid }
  const rest = t.slice(i + 1)
  return { pid, start: /^\d+$/.test(rest) ? `boot:${rest}` : rest }
}

/** Alive unless the probe is sure it is not: an unreadable owner is garbage and counts as dead. */
export function ownerAlive(text: string, probe: ProcessProbe = systemProbe()): boolean {
  const owner = parseOwner(text)
  if (!owner) return false
  if (!probe.running(owner.pid)) return false
  if (owner.start === undefined) return true
  const now = probe.startTime(owner.pid)
  if (now === null) return false
  if (now === undefined) return true
  // A different start at the same pid is another process that reused it; incomparable forms keep the lock.
  return sameStart(owner.start, now) !== false
}

export interface LockState {
  held: boolean
  owner?: string
}

/** Who holds the lock on an ingest directory, and whether that owner is still alive. */
export function inspectLock(dir: string, probe: ProcessProbe = systemProbe()): LockState {
  let text: string
  try {
    text = readFileSync(join(dir, LOCK_FILE), 'utf8')
  } catch {
    return { held: false }
  }
  return ownerAlive(text, probe) ? { held: true, owner: text.trim() } : { held: false, owner: text.trim() }
}

/**
 * Takes the lock, or returns the live owner's identity. The directory must exist.
 * Breaking a stale lock renames it aside first and re-links it if it turned out to be fresh, so two
 * processes breaking the same stale lock cannot both end up holding it.
 */
export function tryLock(
  dir: string,
  probe: ProcessProbe = systemProbe(),
): { ok: true } | { ok: false; owner: string } {
  const file = join(dir, LOCK_FILE)
  const self = identity(probe)
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      try {
        writeSync(fd, self)
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
    if (text !== '' && ownerAlive(text, probe)) return { ok: false, owner: text.trim() }
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
    if (moved !== text && moved !== '' && ownerAlive(moved, probe)) {
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
