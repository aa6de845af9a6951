// The file index is derived data: once garbage collection has taken every blob of a diff ID, its layer
// index (and any tree stacked on it) describes nothing on disk and goes. So do attempts that a crash left
// incomplete. Cheap enough to run before every indexing job.
import type { Database } from '../db'
import { dropTree } from './tree-store'

/** An attempt older than this is taken as abandoned (its process died). */
export const STALE_ATTEMPT_MS = 60 * 60 * 1000

export function pruneFileIndex(db: Database, now: number = Date.now()): { layers: number; trees: number } {
  const stale = now - STALE_ATTEMPT_MS
  const layers = db
    .prepare(
      `SELECT id FROM file_layers l
        WHERE (l.complete = 0 AND l.started_at < @stale)
           OR (l.complete = 1 AND NOT EXISTS (
                 SELECT 1 FROM file_layer_blobs b JOIN content c ON c.digest = b.digest
                  WHERE b.diff_id = l.diff_id))`,
    )
    .pluck()
    .all({ stale }) as number[]
  for (const id of layers) {
    db.transaction(() => {
      db.prepare('DELETE FROM file_layer_chunks WHERE layer = ?').run(id)
      db.prepare('DELETE FROM file_layers WHERE id = ?').run(id)
    })()
  }
  db.prepare(
    'DELETE FROM file_layer_blobs WHERE NOT EXISTS (SELECT 1 FROM file_layers l WHERE l.diff_id = file_layer_blobs.diff_id)',
  ).run()
  const trees = db
    .prepare(
      `SELECT id FROM file_trees t
        WHERE (t.complete = 0 AND t.started_at < @stale)
           OR (t.complete = 1 AND EXISTS (
                 SELECT 1 FROM file_tree_layers tl WHERE tl.tree = t.id AND NOT EXISTS (
                   SELECT 1 FROM file_layers l WHERE l.diff_id = tl.diff_id AND l.complete = 1)))`,
    )
    .pluck()
    .all({ stale }) as number[]
  for (const id of trees) dropTree(db, id)
  return { layers: layers.length, trees: trees.length }
}
