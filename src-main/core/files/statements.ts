// Prepared statements kept per database: preparing costs more than running the small queries a directory
// page or a search result makes, dozens of times per call.
import type { Statement } from 'better-sqlite3'
import type { Database } from '../db'

const prepared = new WeakMap<Database, Map<string, Statement>>()

export function stmt(db: Database, sql: string): Statement {
  let m = prepared.get(db)
  if (!m) prepared.set(db, (m = new Map()))
  let s = m.get(sql)
  if (!s) m.set(sql, (s = db.prepare(sql)))
  return s
}
