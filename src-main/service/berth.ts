// Opening a Berth store outside Electron: the CLI (and tests) use this; the app opens the same files
// through app.getPath('userData'), so both see the same images. Layout: <root>/berth.db (SQLite) and
// <root>/store (the content store, an OCI image layout).
import { join } from 'node:path'
import { syncLayoutIndex } from '../core/content/layout-index'
import { ContentStore } from '../core/content/store'
import { openDatabase, type Database } from '../core/db'
import { ImageStore } from '../core/images/store'
import type { Platform } from '../core/oci'
import type { ServiceContext } from './context'
import { ensureRootDirectory, resolveRoot } from './root'

export { PRODUCT_NAME, defaultRoot, resolveRoot } from './root'

export interface Berth extends ServiceContext {
  content: ContentStore
  close(): void
}

export interface OpenBerthOptions {
  root?: string
  now?: () => Date
  host?: Platform
}

/**
 * Whether this connection has inserted, updated or deleted an image record since the call: temporary
 * triggers (this connection's own, never written to the database file) set a flag.
 */
function watchImageChanges(db: Database): () => boolean {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS berth_session_changes (images INTEGER NOT NULL);
    INSERT INTO berth_session_changes SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM berth_session_changes);
    CREATE TEMP TRIGGER IF NOT EXISTS berth_images_insert AFTER INSERT ON main.images
      BEGIN UPDATE berth_session_changes SET images = 1; END;
    CREATE TEMP TRIGGER IF NOT EXISTS berth_images_update AFTER UPDATE ON main.images
      BEGIN UPDATE berth_session_changes SET images = 1; END;
    CREATE TEMP TRIGGER IF NOT EXISTS berth_images_delete AFTER DELETE ON main.images
      BEGIN UPDATE berth_session_changes SET images = 1; END;`)
  const changed = db.prepare('SELECT images FROM berth_session_changes').pluck()
  return () => changed.get() === 1
}

export function openBerth(opts: OpenBerthOptions = {}): Berth {
  const root = opts.root ?? resolveRoot()
  ensureRootDirectory(root)
  const storeRoot = join(root, 'store')
  const db = openDatabase(join(root, 'berth.db'))
  const content = new ContentStore(storeRoot, db, { now: opts.now })
  const images = new ImageStore(db, { now: opts.now, gc: { root: storeRoot } })
  const imagesChanged = watchImageChanges(db)
  const close = () => {
    // Keep the layout's index.json naming the images, so other OCI tools can open the store by name;
    // a session that changed no image record (images ls) has nothing new to project, and rebuilding
    // the projection of 10,000 names costs 0.15 s.
    if (db.open && !db.readonly && imagesChanged()) {
      try {
        syncLayoutIndex(db, storeRoot)
      } catch {
        // A projection only: failing to refresh it must not fail the command that just succeeded.
      }
    }
    db.close()
  }
  return { db, images, content, root, storeRoot, host: opts.host, now: opts.now, close }
}
