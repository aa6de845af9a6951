// A fresh Berth store in a temp directory (real SQLite file, real blob files) for each test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContentStore } from '../../src-main/core/content/store'
import { openDatabase, type Database } from '../../src-main/core/db'
import { ImageStore } from '../../src-main/core/images/store'

export interface TestStore {
  dir: string
  root: string
  db: Database
  content: ContentStore
  images: ImageStore
  file(name: string, data: Uint8Array): string
  /** Images and content records (with labels) of a namespace: "the store" as a test compares it. */
  snapshot(ns?: string): unknown
  close(): void
}

export function tempStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'berth-transfer-'))
  const root = join(dir, 'store')
  const db = openDatabase(join(dir, 'berth.db'))
  const content = new ContentStore(root, db)
  const images = new ImageStore(db)
  return {
    dir,
    root,
    db,
    content,
    images,
    file(name, data) {
      const p = join(dir, name)
      writeFileSync(p, data)
      return p
    },
    snapshot(ns = 'default') {
      return {
        images: db
          .prepare('SELECT name, target_digest FROM images WHERE namespace = ? ORDER BY name')
          .all(ns),
        content: db.prepare('SELECT digest, size FROM content WHERE namespace = ? ORDER BY digest').all(ns),
        labels: db
          .prepare('SELECT digest, key, value FROM content_labels WHERE namespace = ? ORDER BY digest, key')
          .all(ns),
        leases: db.prepare('SELECT id FROM leases WHERE namespace = ?').all(ns),
      }
    },
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
