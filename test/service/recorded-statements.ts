// A connection that records every statement run through it, with its parameters and how many rows it
// returned: what the plan tests read back to show each read goes through an index.
import type { Database } from '../../src-main/core/db'

export interface Run {
  sql: string
  params: unknown[]
  rows: number
}

export function recordStatements(db: Database): { db: Database; runs: Run[] } {
  const runs: Run[] = []
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare')
        return (sql: string) => {
          const st = target.prepare(sql)
          for (const m of ['all', 'get', 'run'] as const) {
            const f = (st[m] as (...a: unknown[]) => unknown).bind(st)
            ;(st as unknown as Record<string, unknown>)[m] = (...params: unknown[]) => {
              const out = f(...params)
              runs.push({ sql, params, rows: Array.isArray(out) ? out.length : out === undefined ? 0 : 1 })
              return out
            }
          }
          return st
        }
      const v = Reflect.get(target, key) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  }) as Database
  return { db: proxy, runs }
}
