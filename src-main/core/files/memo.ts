// A few recent results per database, for reads that are costly to build and never change once built:
// a tree's listing (search as you type reads it on every keystroke) and a comparison (paged through).
// Keys name immutable things (complete trees are never rewritten; their ids are never reused), so
// nothing here can go stale; a small bound keeps memory flat in a long-running host.
import type { Database } from '../db'

const caches = new WeakMap<Database, Map<string, unknown>>()
const MAX = 6

export function memo<T>(db: Database, key: string, build: () => T): T {
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = new Map()))
  if (cache.has(key)) {
    const v = cache.get(key) as T
    // Most recently used last: the first key is the one to evict.
    cache.delete(key)
    cache.set(key, v)
    return v
  }
  const v = build()
  cache.set(key, v)
  if (cache.size > MAX) cache.delete(cache.keys().next().value as string)
  return v
}
