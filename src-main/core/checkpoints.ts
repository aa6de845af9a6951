// When the WAL is copied back into the database file. SQLite checkpoints on the commit that takes the WAL
// past 1,000 pages (4 MiB), and each checkpoint syncs the WAL and then the database file: two fsyncs, most
// of its cost. A bulk writer (indexing a layer's files writes ~20 MiB of rows for 100,000 entries) would
// pay that every 4 MiB. Inside bulkWrites the WAL may grow to BULK_WAL_PAGES first, and one checkpoint
// runs when the last bulk writer on the connection ends, inside the caller's time.
import type { Database } from './db'

/** SQLite's default auto-checkpoint threshold, in pages. */
export const DEFAULT_WAL_PAGES = 1000
/** The threshold while a bulk writer runs: 16,384 pages (64 MiB at 4 KiB), so the WAL stays bounded. */
export const BULK_WAL_PAGES = 16_384

const writers = new WeakMap<Database, number>()

export async function bulkWrites<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  const n = writers.get(db) ?? 0
  writers.set(db, n + 1)
  if (n === 0) db.pragma(`wal_autocheckpoint = ${BULK_WAL_PAGES}`)
  try {
    return await fn()
  } finally {
    const left = (writers.get(db) ?? 1) - 1
    writers.set(db, left)
    if (left === 0 && db.open) {
      db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_PAGES}`)
      try {
        // PASSIVE: copies what no reader still needs and never waits; what it leaves, the next commit's
        // auto-checkpoint takes.
        db.pragma('wal_checkpoint(PASSIVE)')
      } catch {
        // A checkpoint that cannot run now loses nothing: the pages stay in the WAL until the next one.
      }
    }
  }
}

/** The connection's auto-checkpoint threshold in pages (what the tests check). */
export function walAutocheckpoint(db: Database): number {
  return db.pragma('wal_autocheckpoint', { simple: true }) as number
}
