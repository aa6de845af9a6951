// The one SQLite database behind Berth: image records, content records and labels, leases and ingests,
// per namespace. better-sqlite3 is synchronous, which is what makes a multi-statement change atomic
// without ceremony: wrap it in db.transaction().
import BetterSqlite3 from 'better-sqlite3'
import { failedPrecondition, unavailable } from './errors'
import { MIGRATIONS, SCHEMA_VERSION } from './schema'

export type Database = BetterSqlite3.Database

// The steps live in schema.ts; re-exported so the schema version stays one import away.
export { MIGRATIONS, SCHEMA_VERSION } from './schema'

export interface OpenOptions {
  readonly?: boolean
  /** Milliseconds a writer waits for another connection's lock before giving up (Unavailable). */
  busyTimeout?: number
}

export function openDatabase(file: string, opts: OpenOptions = {}): Database {
  let db: Database
  try {
    db = new BetterSqlite3(file, { readonly: opts.readonly ?? false, timeout: opts.busyTimeout ?? 5000 })
  } catch (e) {
    throw unavailable(`cannot open database ${file}: ${(e as Error).message}`, e)
  }
  try {
    if (file !== ':memory:' && !opts.readonly) db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    db.pragma(`busy_timeout = ${opts.busyTimeout ?? 5000}`)
    if (!opts.readonly) migrate(db)
    else checkVersion(db)
  } catch (e) {
    db.close()
    throw e
  }
  return db
}

function currentVersion(db: Database): number {
  const row = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`)
    .get()
  if (!row) return 0
  const v = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined
  return v?.version ?? 0
}

function checkVersion(db: Database): number {
  const v = currentVersion(db)
  if (v > SCHEMA_VERSION) {
    throw failedPrecondition(
      `database ${db.name} has schema version ${v}, newer than this Berth understands (${SCHEMA_VERSION}): ` +
        'upgrade Berth, or open another store',
    )
  }
  return v
}

function migrate(db: Database): void {
  // IMMEDIATE: two processes opening a fresh store at once must not both run step 1.
  db.transaction(() => {
    const v = checkVersion(db)
    if (v === SCHEMA_VERSION) return
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
    for (let i = v; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i])
    db.exec('DELETE FROM schema_version')
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION)
  }).immediate()
}

/**
 * Runs fn in a BEGIN IMMEDIATE transaction. Every write goes through one: a deferred transaction that
 * reads first and then writes fails at once (SQLITE_BUSY, or SQLITE_BUSY_SNAPSHOT in WAL) when another
 * process committed in between, without waiting; IMMEDIATE takes the write lock up front and waits
 * for it (busy_timeout). Inside another transaction it becomes a savepoint of that one.
 */
export function writeTx<T>(db: Database, what: string, fn: () => T): T {
  try {
    return db.transaction(fn).immediate()
  } catch (e) {
    throw sqliteError(e, what)
  }
}

/** SQLite's lock and space failures as Unavailable, with what was being done; other errors unchanged. */
export function sqliteError(e: unknown, what: string): unknown {
  const code = (e as { code?: unknown })?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return e
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return unavailable(`${what}: the database is locked by another process; retry shortly`, e)
  }
  if (code === 'SQLITE_FULL') return unavailable(`${what}: the disk holding the database is full`, e)
  if (code.startsWith('SQLITE_IOERR')) return unavailable(`${what}: I/O error in the database (${code})`, e)
  return e
}

/** Records a namespace the first time something is written in it, so it can be listed. */
export function touchNamespace(db: Database, namespace: string, now: number): void {
  db.prepare('INSERT OR IGNORE INTO namespaces (name, created_at) VALUES (?, ?)').run(namespace, now)
}

/** Marks the database as holding possible garbage, as containerd's dirty flag does. */
export function markDirty(db: Database): void {
  db.prepare('UPDATE gc_state SET dirty = dirty + 1 WHERE id = 1').run()
}
