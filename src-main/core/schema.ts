// Berth's SQLite schema as the ordered steps that build it: the image and content model, labels, leases
// and ingests, summaries, the file index, sources. openDatabase (db.ts) runs the steps a file lacks.
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
  // 4: every read bounded at 100,000 images (service/summary-refresh.ts, images-list.ts, content.ts).
  // Triggers say which summaries a write made stale, so a read refreshes exactly those and, when
  // nothing changed, costs one index probe; counters answer totals without counting rows.
  `
  -- A summary to redo. walk = 0: only the labels changed (the search text), the tree need not be read
  -- again; a later mark with walk = 1 upgrades it. A refresh re-checks in its write transaction what
  -- its walk saw, so a mark made while it walked is never lost.
  CREATE TABLE image_summary_marks (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    walk      INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
  ) WITHOUT ROWID;
  INSERT INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM images;
  INSERT OR IGNORE INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM image_summaries;
  DROP TABLE image_summary_state;

  ALTER TABLE image_summaries ADD COLUMN tag TEXT NOT NULL DEFAULT '';
  ALTER TABLE image_summaries ADD COLUMN platform_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE image_summaries ADD COLUMN search_id INTEGER;
  -- The image's own dates, copied here to be sorted on: an index on images would slow every image
  -- write (with triggers on the table, SQLite no longer appends index entries in place).
  ALTER TABLE image_summaries ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE image_summaries ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
  -- How many images' summaries name each blob: the content page's "referenced by" count, read in one
  -- probe however many images share a base layer. Kept by the refresh beside the blob rows.
  CREATE TABLE image_summary_digests (
    namespace TEXT NOT NULL,
    digest    TEXT NOT NULL,
    holders   INTEGER NOT NULL,
    PRIMARY KEY (namespace, digest)
  ) WITHOUT ROWID;
  INSERT INTO image_summary_digests (namespace, digest, holders)
    SELECT namespace, digest, count(*) FROM image_summary_blobs GROUP BY namespace, digest;
  -- One index per sort key, name last, so a sorted page is read in index order, never sorted whole.
  CREATE INDEX image_summaries_by_tag ON image_summaries (namespace, tag, name);
  CREATE INDEX image_summaries_by_kind ON image_summaries (namespace, kind, name);
  CREATE INDEX image_summaries_by_platforms ON image_summaries (namespace, platform_count, name);
  CREATE INDEX image_summaries_by_size ON image_summaries (namespace, size, name);
  CREATE INDEX image_summaries_by_unique ON image_summaries (namespace, unique_size, name);
  CREATE INDEX image_summaries_by_updated ON image_summaries (namespace, updated_at, name);
  CREATE INDEX image_summaries_by_created ON image_summaries (namespace, created_at, name);
  -- GC's reverse edges, for the delete preview: which content or image names this digest in a gc label.
  CREATE INDEX content_labels_by_value ON content_labels (namespace, value) WHERE key GLOB 'containerd.io/gc.*';
  CREATE INDEX image_labels_by_value ON image_labels (namespace, value) WHERE key GLOB 'containerd.io/gc.*';
  CREATE INDEX lease_resources_by_key ON lease_resources (namespace, kind, key);
  CREATE INDEX ingests_by_expected ON ingests (namespace, expected);

  -- The quick search: each image's name, target digest and label values, lower-cased by the writer,
  -- indexed by trigrams so a substring of 3 or more characters is found without reading every image.
  CREATE VIRTUAL TABLE image_search USING fts5(
    text, namespace UNINDEXED, name UNINDEXED,
    tokenize = 'trigram case_sensitive 1', detail = 'none', columnsize = 0
  );

  -- image_changes counts the writes that change what the layout's index.json lists (a name, a target).
  CREATE TABLE namespace_stats (
    namespace     TEXT PRIMARY KEY,
    images        INTEGER NOT NULL DEFAULT 0,
    blobs         INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    image_changes INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  INSERT INTO namespace_stats (namespace, images, image_changes)
    SELECT namespace, count(*), 1 FROM images GROUP BY namespace;
  INSERT INTO namespace_stats (namespace, blobs, bytes)
    SELECT namespace, count(*), sum(size) FROM content WHERE true GROUP BY namespace
    ON CONFLICT (namespace) DO UPDATE SET blobs = excluded.blobs, bytes = excluded.bytes;

  -- layout-index.written: the sum of image_changes that index.json was last built from.
  CREATE TABLE berth_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO berth_counters (name, value) VALUES ('layout-index.written', -1);

  CREATE TRIGGER images_marks_insert AFTER INSERT ON images BEGIN
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 1) ON CONFLICT DO UPDATE SET walk = 1;
    INSERT INTO namespace_stats (namespace, images, image_changes) VALUES (new.namespace, 1, 1)
      ON CONFLICT (namespace) DO UPDATE SET images = images + 1, image_changes = image_changes + 1;
  END;
  CREATE TRIGGER images_marks_delete AFTER DELETE ON images BEGIN
    INSERT INTO image_summary_marks VALUES (old.namespace, old.name, 1) ON CONFLICT DO UPDATE SET walk = 1;
    UPDATE namespace_stats SET images = images - 1, image_changes = image_changes + 1
     WHERE namespace = old.namespace;
  END;
  CREATE TRIGGER images_marks_target AFTER UPDATE OF target_media_type, target_digest, target_size ON images
    WHEN old.target_media_type IS NOT new.target_media_type OR old.target_digest IS NOT new.target_digest
      OR old.target_size IS NOT new.target_size
  BEGIN
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 1) ON CONFLICT DO UPDATE SET walk = 1;
    UPDATE namespace_stats SET image_changes = image_changes + 1 WHERE namespace = new.namespace;
  END;
  -- Any other update moves updatedAt, which a summary carries for sorting.
  CREATE TRIGGER images_marks_touch AFTER UPDATE OF updated_at ON images
    WHEN old.updated_at IS NOT new.updated_at
  BEGIN
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 0) ON CONFLICT DO NOTHING;
  END;
  -- The image store never renames, but the schema allows it (ON UPDATE CASCADE): keep the marks true.
  CREATE TRIGGER images_marks_rename AFTER UPDATE OF namespace, name ON images
    WHEN old.namespace IS NOT new.namespace OR old.name IS NOT new.name
  BEGIN
    INSERT INTO image_summary_marks VALUES (old.namespace, old.name, 1) ON CONFLICT DO UPDATE SET walk = 1;
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 1) ON CONFLICT DO UPDATE SET walk = 1;
    UPDATE namespace_stats SET images = images - 1, image_changes = image_changes + 1
     WHERE namespace = old.namespace;
    INSERT INTO namespace_stats (namespace, images, image_changes) VALUES (new.namespace, 1, 1)
      ON CONFLICT (namespace) DO UPDATE SET images = images + 1, image_changes = image_changes + 1;
  END;

  -- Labels change the search text only: a mark without a walk, which keeps a pending one.
  CREATE TRIGGER image_label_maps_marks_insert AFTER INSERT ON image_label_maps BEGIN
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 0) ON CONFLICT DO NOTHING;
  END;
  CREATE TRIGGER image_label_maps_marks_update AFTER UPDATE ON image_label_maps BEGIN
    INSERT INTO image_summary_marks VALUES (new.namespace, new.name, 0) ON CONFLICT DO NOTHING;
  END;
  CREATE TRIGGER image_label_maps_marks_delete AFTER DELETE ON image_label_maps BEGIN
    INSERT INTO image_summary_marks VALUES (old.namespace, old.name, 0) ON CONFLICT DO NOTHING;
  END;

  -- A blob arriving or leaving changes the summaries whose blob set names it, and no others.
  CREATE TRIGGER content_marks_insert AFTER INSERT ON content BEGIN
    INSERT INTO image_summary_marks
      SELECT namespace, name, 1 FROM image_summary_blobs WHERE namespace = new.namespace AND digest = new.digest
      ON CONFLICT DO UPDATE SET walk = 1;
    INSERT INTO namespace_stats (namespace, blobs, bytes) VALUES (new.namespace, 1, new.size)
      ON CONFLICT (namespace) DO UPDATE SET blobs = blobs + 1, bytes = bytes + excluded.bytes;
  END;
  CREATE TRIGGER content_marks_delete AFTER DELETE ON content BEGIN
    INSERT INTO image_summary_marks
      SELECT namespace, name, 1 FROM image_summary_blobs WHERE namespace = old.namespace AND digest = old.digest
      ON CONFLICT DO UPDATE SET walk = 1;
    UPDATE namespace_stats SET blobs = blobs - 1, bytes = bytes - old.size WHERE namespace = old.namespace;
  END;
  CREATE TRIGGER content_marks_update AFTER UPDATE OF namespace, digest, size ON content
    WHEN old.namespace IS NOT new.namespace OR old.digest IS NOT new.digest OR old.size IS NOT new.size
  BEGIN
    INSERT INTO image_summary_marks
      SELECT namespace, name, 1 FROM image_summary_blobs WHERE namespace = old.namespace AND digest = old.digest
      ON CONFLICT DO UPDATE SET walk = 1;
    INSERT INTO image_summary_marks
      SELECT namespace, name, 1 FROM image_summary_blobs WHERE namespace = new.namespace AND digest = new.digest
      ON CONFLICT DO UPDATE SET walk = 1;
    UPDATE namespace_stats SET blobs = blobs - 1, bytes = bytes - old.size WHERE namespace = old.namespace;
    INSERT INTO namespace_stats (namespace, blobs, bytes) VALUES (new.namespace, 1, new.size)
      ON CONFLICT (namespace) DO UPDATE SET blobs = blobs + 1, bytes = bytes + excluded.bytes;
  END;
  `,
  // 5: what is inside layers (core/files). Derived data, rebuildable from the blobs at any time, so no
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
  // 6: containerd sources the user added (service/sources): a daemon's socket and the namespace to open
  // first. Their images are mirrored in a database file of their own (<root>/sources/), never here, so
  // this store's GC can never mistake a daemon's blobs for its own.
  `
  CREATE TABLE IF NOT EXISTS sources (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    address    TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    added_at   INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 7: shared writers by the blob they will commit, in any namespace: GC keeps such a blob's file, and
  // asks for every unreferenced file it is about to delete.
  `
  CREATE INDEX IF NOT EXISTS ingests_by_expected_blob ON ingests (expected) WHERE expected IS NOT NULL;
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length
