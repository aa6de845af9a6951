// Ingest directories nobody will resume: a crash after a commit's database change but before the
// directory was removed, an abandoned directory rename (`*.removing.*`), or a writer killed before
// its ingest row existed. They hold no record and no lock, so only this sweep ever removes them.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Database } from '../db'
import { ingestDir } from './ingest'
import { INGEST_DIR } from './layout'
import { inspectLock, systemProbe, type ProcessProbe } from './lock'

/** Directories younger than this are left alone: a writer may be between mkdir and its lock. */
export const SWEEP_MIN_AGE_MS = 60_000

export interface SweepResult {
  removed: string[]
}

export function sweepIngestDirs(
  root: string,
  db: Database,
  now: Date = new Date(),
  probe: ProcessProbe = systemProbe(),
): SweepResult {
  const base = join(root, INGEST_DIR)
  const rows = db.prepare('SELECT backend_ref FROM ingests').pluck().all() as string[]
  const known = new Set(rows.map((bref) => basename(ingestDir(root, bref))))
  const removed: string[] = []
  let names: string[]
  try {
    names = readdirSync(base)
  } catch {
    return { removed }
  }
  for (const name of names) {
    const dir = join(base, name)
    let mtime: number
    try {
      mtime = statSync(dir).mtimeMs
    } catch {
      continue
    }
    if (now.getTime() - mtime < SWEEP_MIN_AGE_MS) continue
    if (!name.includes('.removing.')) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue
      if (known.has(name) || inspectLock(dir, probe).held) continue
    }
    rmSync(dir, { recursive: true, force: true })
    removed.push(name)
  }
  return { removed }
}
