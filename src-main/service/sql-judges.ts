// JavaScript judges that SQLite calls on the rows it has already narrowed with indexes: the real
// containerd filter, so an SQL pushdown only ever picks candidates and never decides a match on its own;
// and case-insensitive containment with JavaScript's case folding (SQLite's lower() folds ASCII only).
// Sorting and paging stay in SQL around them.
import type { Database } from '../core/db'
import type { Filter } from '../core/filters'
import { rowJudge } from '../core/images/store-filter'
import { decodeMap, type ImageRow } from '../core/images/store-rows'
import { fieldsContain } from './image-search'

/** Judges one candidate from the SQL arguments that follow the judge's id. */
export type Judge = (args: unknown[]) => boolean

const registered = new WeakSet<Database>()
const judges = new Map<number, Judge>()
let nextId = 1

/** The columns an image judge takes, in ImageRow order, from `images i` and `image_label_maps m`. */
export const IMAGE_JUDGE_ARGS =
  'i.name, i.target_media_type, i.target_digest, i.target_size, i.target_annotations, ' +
  'i.created_at, i.updated_at, m.labels'

function register(db: Database): void {
  if (registered.has(db)) return
  db.function('berth_judge', { directOnly: true, varargs: true }, (id, ...args) => {
    const judge = judges.get(id as number)
    if (!judge) throw new Error('berth_judge called outside withJudge')
    return judge(args) ? 1 : 0
  })
  db.function('berth_contains', { deterministic: true, directOnly: true }, (needle, value) =>
    typeof value === 'string' && fieldsContain(needle as string, [value]) ? 1 : 0,
  )
  db.function(
    'berth_fields_contain',
    { deterministic: true, directOnly: true },
    (needle, name, digest, labels) =>
      fieldsContain(needle as string, [
        name as string,
        digest as string,
        ...Object.values(decodeMap(labels as string | null)),
      ])
        ? 1
        : 0,
  )
  registered.add(db)
}

/**
 * Runs `fn` with `judge` callable from SQL as `berth_judge(@fid, …)`; `fn` gets the value to bind to
 * @fid. Statements run synchronously, so the judge lives exactly as long as `fn`. Also makes
 * berth_contains and berth_fields_contain available.
 */
export function withJudge<T>(db: Database, judge: Judge | null, fn: (fid: number) => T): T {
  register(db)
  if (judge === null) return fn(0)
  const id = nextId++
  judges.set(id, judge)
  try {
    return fn(id)
  } finally {
    judges.delete(id)
  }
}

/** The image store's own row adaptor (rowJudge) over IMAGE_JUDGE_ARGS. */
export function imageJudge(filter: Filter | null): Judge | null {
  if (filter === null) return null
  const match = rowJudge(filter)
  return (args) => match(args as unknown as ImageRow)
}
