// Opening a Berth store outside Electron: the CLI (and tests) use this; the app opens the same files
// through app.getPath('userData'), so both see the same images. Layout: <root>/berth.db (SQLite) and
// <root>/store (the content store, an OCI image layout).
import { join } from 'node:path'
import { ContentStore } from '../core/content/store'
import { openDatabase } from '../core/db'
import { ImageStore } from '../core/images/store'
import type { Platform } from '../core/oci'
import type { ServiceContext } from './context'
import { syncLayoutIndexIfChanged } from './layout-index'
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

export function openBerth(opts: OpenBerthOptions = {}): Berth {
  const root = opts.root ?? resolveRoot()
  ensureRootDirectory(root)
  const storeRoot = join(root, 'store')
  const db = openDatabase(join(root, 'berth.db'))
  const content = new ContentStore(storeRoot, db, { now: opts.now })
  const images = new ImageStore(db, { now: opts.now, gc: { root: storeRoot } })
  const close = () => {
    // Keep the layout's index.json naming the images, so other OCI tools can open the store by name;
    // a command that changed no image name or target (images ls, a label edit) leaves it alone after
    // one counter read, instead of rebuilding the projection of 10,000 names (0.15 s).
    if (db.open && !db.readonly) {
      try {
        syncLayoutIndexIfChanged(db, storeRoot)
      } catch {
        // A projection only: failing to refresh it must not fail the command that just succeeded.
      }
    }
    db.close()
  }
  return { db, images, content, root, storeRoot, host: opts.host, now: opts.now, close }
}
