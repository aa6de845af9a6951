// The one SQLite database behind Berth: image records, content records and labels, leases and ingests,
// per namespace. better-sqlite3 is synchronous, which is what makes a multi-statement change atomic
// without ceremony: wrap it in db.transaction().
import BetterSqlite3 from 'better-sqlite3'
import { failedPrecondition, unavailable } from './errors'

export type Database = BetterSqlite3.Database

/**
 * Ordered schema migrations. The index + 1 is the schema version after the step runs. Never edit a
 * step that has shipped: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the image and content model.
  `
  CREATE TABLE namespaces (
    name        TEXT PRIMARY KEY,
    labels      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- Names sort by BINARY collation, i.e. memcmp over UTF-8: containerd's bbolt key order.
  CREATE TABLE images (
    namespace          TEXT NOT NULL,
    name               TEXT NOT NULL,
    target_media_type  TEXT NOT NULL,
    target_digest      TEXT NOT NULL,
    target_size        INTEGER NOT NULL,
    target_annotations TEXT NOT NULL DEFAULT '{}',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
  ) WITHOUT ROWID;
  CREATE INDEX images_by_target ON images (namespace, target_digest);

  CREATE TABLE image_labels (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (namespace, name, key),
    FOREIGN KEY (namespace, name) REFERENCES images (namespace, name) ON DELETE CASCADE ON UPDATE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX image_labels_by_key ON image_labels (namespace, key, value);

  -- A namespace's view of a blob. The bytes live once in the shared OCI layout on disk.
  CREATE TABLE content (
    namespace  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, digest)
  ) WITHOUT ROWID;
  CREATE INDEX content_by_digest ON content (digest);

  CREATE TABLE content_labels (
    namespace TEXT NOT NULL,
    digest    TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (namespace, digest, key),
    FOREIGN KEY (namespace, digest) REFERENCES content (namespace, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX content_labels_by_key ON content_labels (namespace, key, value);

  -- In-progress writes. The bytes are in <root>/ingest/<sha256(backend ref)>/; this row gives the
  -- namespace, the expiry (24 h outside a lease) and the lease that protects it.
  CREATE TABLE ingests (
    namespace   TEXT NOT NULL,
    ref         TEXT NOT NULL,
    backend_ref TEXT NOT NULL UNIQUE,
    expected    TEXT,
    total       INTEGER NOT NULL DEFAULT 0,
    lease       TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    PRIMARY KEY (namespace, ref)
  ) WITHOUT ROWID;

  CREATE TABLE leases (
    namespace  TEXT NOT NULL,
    id         TEXT NOT NULL,
    labels     TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, id)
  ) WITHOUT ROWID;

  -- kind: 'content' (key = digest), 'image' (key = name), 'ingest' (key = ref).
  CREATE TABLE lease_resources (
    namespace TEXT NOT NULL,
    lease     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    PRIMARY KEY (namespace, lease, kind, key),
    FOREIGN KEY (namespace, lease) REFERENCES leases (namespace, id) ON DELETE CASCADE
  ) WITHOUT ROWID;

  -- Bumped by every write that may create garbage; GC compares it to know whether to run.
  CREATE TABLE gc_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    dirty  INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER
  );
  INSERT INTO gc_state (id, dirty) VALUES (1, 0);
  `,
  // 2: derived image summaries for the app's list (src-main/service/summaries.ts). Rebuildable at any
  // time from images + content; no foreign keys so a stale row never blocks a write to the model.
  `
  CREATE TABLE image_summaries (
    namespace         TEXT NOT NULL,
    name              TEXT NOT NULL,
    target_digest     TEXT NOT NULL,
    kind              TEXT NOT NULL,
    platforms         TEXT NOT NULL DEFAULT '[]',
    status            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    unique_size       INTEGER NOT NULL DEFAULT 0,
    refreshed_at      INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
  ) WITHOUT ROWID;

  -- Every blob an image's tree reaches, and whether it was present when the summary was made.
  CREATE TABLE image_summary_blobs (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    digest    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    present   INTEGER NOT NULL,
    media_type TEXT NOT NULL DEFAULT '',
    kind      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (namespace, name, digest)
  ) WITHOUT ROWID;
  CREATE INDEX image_summary_blobs_by_digest ON image_summary_blobs (namespace, digest);

  -- A fingerprint of each namespace's content table when its summaries were last checked.
  CREATE TABLE image_summary_state (
    namespace     TEXT PRIMARY KEY,
    content_stamp TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Uncompressed sizes of layers, by digest: costly to learn (a full decompression), never changing.
  CREATE TABLE layer_sizes (
    digest            TEXT PRIMARY KEY,
    uncompressed_size INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: each image's labels as one JSON object beside the per-label rows (images/store.ts). The rows
  // stay the index (filters, GC); the object lets a list read an image in one row instead of merging
  // three, which keeps listing 100k images within 2x of a bare SELECT.
  `
  CREATE TABLE image_label_maps (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    labels    TEXT NOT NULL,
    PRIMARY KEY (namespace, name),
    FOREIGN KEY (namespace, name) REFERENCES images (namespace, name) ON DELETE CASCADE ON UPDATE CASCADE
  ) WITHOUT ROWID;
  INSERT INTO image_label_maps (namespace, name, labels)
    SELECT namespace, name, json_group_object(key, value) FROM image_labels GROUP BY namespace, name;
  `,
  // 4: what is inside layers (core/files). Derived data, rebuildable from the blobs at any time, so no
  // foreign keys into the model. A layer's entries are indexed once per diff ID (shared base layers
  // once for every image) and kept in tar order, in chunks, because they are only ever read whole to
  // stack a tree. Each stacked tree, keyed by the chain ID of its layers, keeps every version of every
  // path with the layers it is visible in, by directory, which is what listings and compares query.
  // Rows are written before their parent row is marked complete; readers look only at complete ones.
  // IF NOT EXISTS: the step stays safe to run again on a database whose version was set back.
  `
  CREATE TABLE IF NOT EXISTS file_layers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    diff_id    TEXT NOT NULL,
    complete   INTEGER NOT NULL DEFAULT 0,
    entries    INTEGER NOT NULL DEFAULT 0,
    file_bytes INTEGER NOT NULL DEFAULT 0,
    tar_bytes  INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS file_layers_by_diff_id ON file_layers (diff_id) WHERE complete = 1;

  CREATE TABLE IF NOT EXISTS file_layer_chunks (
    layer INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    data  TEXT NOT NULL,
    PRIMARY KEY (layer, n)
  ) WITHOUT ROWID;

  -- The blobs known to hold a diff ID: reading a file streams one the namespace can see.
  CREATE TABLE IF NOT EXISTS file_layer_blobs (
    digest     TEXT PRIMARY KEY,
    diff_id    TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS file_layer_blobs_by_diff_id ON file_layer_blobs (diff_id);

  CREATE TABLE IF NOT EXISTS file_trees (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_id   TEXT NOT NULL,
    layers     INTEGER NOT NULL,
    complete   INTEGER NOT NULL DEFAULT 0,
    stats      TEXT NOT NULL DEFAULT '{}',
    started_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS file_trees_by_chain ON file_trees (chain_id) WHERE complete = 1;

  CREATE TABLE IF NOT EXISTS file_tree_layers (
    tree    INTEGER NOT NULL,
    pos     INTEGER NOT NULL,
    diff_id TEXT NOT NULL,
    PRIMARY KEY (tree, pos)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS file_tree_layers_by_diff_id ON file_tree_layers (diff_id);

  -- One row per directory of a tree: every version of every entry in it, sorted by name (as the listing
  -- escapes names), as JSON rows
  -- [name, first, until, type, mode, uid, gid, size, mtime, link, flags, src_layer, src_seq]. first:
  -- the layer position that wrote the version; until: the one that replaced or removed it, or the
  -- tree's layer count while it is visible; src_layer/src_seq: where its bytes are, in which tar.
  -- A directory page is one keyed read; a tree of 100,000 files is a few thousand rows to write.
  CREATE TABLE IF NOT EXISTS file_tree_dirs (
    tree INTEGER NOT NULL,
    dir  TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tree, dir)
  ) WITHOUT ROWID;

  -- Directories holding something a layer changed: what a layer's "only changes" view opens.
  CREATE TABLE IF NOT EXISTS file_touched (
    tree INTEGER NOT NULL,
    pos  INTEGER NOT NULL,
    dir  TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tree, pos, dir, name)
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS file_wasted (
    tree     INTEGER NOT NULL,
    path     TEXT NOT NULL,
    versions INTEGER NOT NULL,
    bytes    INTEGER NOT NULL,
    layers   TEXT NOT NULL,
    PRIMARY KEY (tree, path)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS file_wasted_by_bytes ON file_wasted (tree, bytes DESC);

  -- The merged tree as sorted text lines (path, type, mode, owner, size, link): read whole by search
  -- and compare, which would otherwise decode a hundred thousand rows per call.
  CREATE TABLE IF NOT EXISTS file_tree_listing (
    tree INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tree, n)
  ) WITHOUT ROWID;
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

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
