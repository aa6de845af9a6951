// The quick search over images: a case-insensitive substring of the name, the target digest or a label
// value. Each image has one row in the trigram index `image_search` (migration 4) holding those fields
// lower-cased here, one per line, so a query of 3 or more characters reads only the rows holding its
// trigrams. Case folding is JavaScript's toLowerCase on both sides, so non-ASCII letters fold too
// (SQLite's own lower() and LIKE fold ASCII only).
import type { Database } from '../core/db'

/** Fields one per line: a query without a line break can only match inside one field. */
export function searchText(name: string, digest: string, labels: Record<string, string>): string {
  return [name, digest, ...Object.values(labels)].join('\n').toLowerCase()
}

export interface SearchQuery {
  /** The GLOB pattern for image_search.text, the trigram index answers it. */
  glob: string
  /** The lower-cased query, for the rare query the index cannot decide alone (one with a line break). */
  needle: string
}

/** The query as the index takes it, or null when it is empty after trimming. */
export function searchQuery(query: string | undefined): SearchQuery | null {
  const needle = (query ?? '').trim().toLowerCase()
  if (needle === '') return null
  // GLOB's wildcards are matched literally inside brackets; the trigram index still uses the rest.
  return { glob: `*${needle.replace(/[*?[]/g, (c) => `[${c}]`)}*`, needle }
}

/** Whether one of the fields holds the query (the index's answer, judged field by field). */
export function fieldsContain(needle: string, fields: readonly string[]): boolean {
  return fields.some((f) => f.toLowerCase().includes(needle))
}

export interface SearchRows {
  /** Replaces the image's row; returns the new row id. */
  put(ns: string, name: string, text: string, previous: number | null): number
  remove(id: number | null): void
}

export function searchRows(db: Database): SearchRows {
  const del = db.prepare('DELETE FROM image_search WHERE rowid = ?')
  const ins = db.prepare('INSERT INTO image_search (text, namespace, name) VALUES (?, ?, ?)')
  return {
    put(ns, name, text, previous) {
      if (previous !== null) del.run(previous)
      return Number(ins.run(text, ns, name).lastInsertRowid)
    },
    remove(id) {
      if (id !== null) del.run(id)
    },
  }
}
