// Unique size: the present bytes of the blobs an image reaches and no other image of the namespace
// does — what deleting it alone frees. Kept incrementally: when some images' blob sets change, the only
// other images whose unique size can move are those that were, or become, the sole holder of a changed
// digest (a digest held by two images counts for neither, whatever a third does).
import type { Database } from '../core/db'

export interface UniqueSizes {
  /** The images that alone hold one of these digests, as the tables stand now. */
  soleHolders(ns: string, digests: Iterable<string>): Set<string>
  /** Recomputes the unique size of these images from their blob rows. */
  recompute(ns: string, names: Iterable<string>): void
}

export function uniqueSizes(db: Database): UniqueSizes {
  const holders = db
    .prepare('SELECT name FROM image_summary_blobs WHERE namespace = ? AND digest = ? LIMIT 2')
    .pluck()
  const update = db.prepare(
    `UPDATE image_summaries SET unique_size = coalesce((
        SELECT sum(b.size) FROM image_summary_blobs b
         WHERE b.namespace = @ns AND b.name = @name AND b.present = 1
           AND NOT EXISTS (SELECT 1 FROM image_summary_blobs o
                            WHERE o.namespace = b.namespace AND o.digest = b.digest AND o.name <> b.name)
      ), 0)
      WHERE namespace = @ns AND name = @name`,
  )
  return {
    soleHolders(ns, digests) {
      const out = new Set<string>()
      for (const d of digests) {
        const names = holders.all(ns, d) as string[]
        if (names.length === 1) out.add(names[0])
      }
      return out
    },
    recompute(ns, names) {
      for (const name of names) update.run({ ns, name })
    },
  }
}
