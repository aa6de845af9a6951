// The store's index.json follows the image records (from the app or the CLI), so that
// `skopeo inspect oci:<store>:<name>` sees what the UI shows. Rebuilding it reads every image, so it is
// rebuilt only when the image table changed in what it lists (a name, a target): triggers count those
// writes per namespace (migration 4) and the total index.json was last built from is kept beside it.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { syncLayoutIndex } from '../core/content/layout-index'
import { INDEX_FILE } from '../core/content/layout'
import { writeTx, type Database } from '../core/db'
import type { Berth } from './berth'

/** Grows with every such write in any namespace (a handful of rows to add up). */
const imageChanges = (db: Database): number =>
  db.prepare('SELECT coalesce(sum(image_changes), 0) FROM namespace_stats').pluck().get() as number
const written = (db: Database): number =>
  db.prepare("SELECT value FROM berth_counters WHERE name = 'layout-index.written'").pluck().get() as number

/**
 * Rebuilds <store>/index.json when an image was created, deleted, renamed or retargeted since it was
 * last built, or when the file is missing; returns whether it did. Costs one counter read otherwise.
 */
export function syncLayoutIndexIfChanged(db: Database, storeRoot: string): boolean {
  const file = join(storeRoot, INDEX_FILE)
  const current = () => imageChanges(db) === written(db) && existsSync(file)
  if (current()) return false
  // Under the write lock, so two processes cannot leave an older build in place of a newer one.
  return writeTx(db, 'rewriting the layout index.json', () => {
    if (current()) return false
    syncLayoutIndex(db, storeRoot)
    db.prepare("UPDATE berth_counters SET value = ? WHERE name = 'layout-index.written'").run(
      imageChanges(db),
    )
    return true
  })
}

export interface LayoutIndexKeeper {
  /** Something was written: refresh index.json once writes have been quiet for `quietMs`. */
  poke(): void
  stop(): void
}

export function keepLayoutIndex(berth: Pick<Berth, 'db' | 'storeRoot'>, quietMs = 2000): LayoutIndexKeeper {
  let timer: NodeJS.Timeout | undefined
  return {
    poke() {
      clearTimeout(timer)
      timer = setTimeout(() => {
        try {
          syncLayoutIndexIfChanged(berth.db, berth.storeRoot)
        } catch {
          // A projection only; the next change or the app's exit writes it again.
        }
      }, quietMs)
      timer.unref?.()
    },
    stop() {
      clearTimeout(timer)
    },
  }
}
