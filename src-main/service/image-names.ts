// Names only, for `berth images ls -q`: one indexed read of the names, never a summary or a blob.
// (The bounded-reads work provides the same listImageNames(ctx, ns, filters) beside images.list; at
// merge this file gives way to it.)
import { validateNamespace } from '../core/namespace'
import type { ServiceContext } from './context'

/** Names matching any of `filters` (containerd's ParseAll; none matches all), ascending byte order. */
export function listImageNames(ctx: ServiceContext, nsIn: string, filters: string[]): string[] {
  const ns = validateNamespace(nsIn)
  if (filters.length === 0 || filters.includes(''))
    return ctx.db
      .prepare('SELECT name FROM images WHERE namespace = ? ORDER BY name')
      .pluck()
      .all(ns) as string[]
  // The image store pushes what it can of the filter down to SQL and re-checks every candidate.
  return ctx.images.list(ns, ...filters).map((i) => i.name)
}
