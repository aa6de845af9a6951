import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, SCHEMA_VERSION } from '../../src-main/core/db'
import { isKind } from '../../src-main/core/errors'
import { validateNamespace } from '../../src-main/core/namespace'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-db-'))
  dirs.push(d)
  return d
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('openDatabase', () => {
  it('applies migrations once, with WAL and foreign keys', () => {
    const file = join(tmp(), 'berth.db')
    const db = openDatabase(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SCHEMA_VERSION })
    db.close()
    const again = openDatabase(file)
    expect(again.prepare('SELECT count(*) AS n FROM schema_version').get()).toEqual({ n: 1 })
    again.close()
  })

  it('works in memory', () => {
    const db = openDatabase(':memory:')
    expect(db.prepare(`SELECT count(*) AS n FROM images`).get()).toEqual({ n: 0 })
    db.close()
  })

  it('refuses a database from a newer Berth with a clear error', () => {
    const file = join(tmp(), 'berth.db')
    const db = openDatabase(file)
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 5)
    db.close()
    let err: unknown
    try {
      openDatabase(file)
    } catch (e) {
      err = e
    }
    expect(isKind(err, 'failed-precondition')).toBe(true)
    expect((err as Error).message).toMatch(/newer than this Berth understands/)
  })

  it('deletes an image label with its image (foreign key cascade)', () => {
    const db = openDatabase(':memory:')
    db.prepare(`INSERT INTO images VALUES ('ns', 'a', 'm', 'sha256:${'a'.repeat(64)}', 1, '{}', 0, 0)`).run()
    db.prepare(`INSERT INTO image_labels VALUES ('ns', 'a', 'k', 'v')`).run()
    db.prepare(`DELETE FROM images`).run()
    expect(db.prepare('SELECT count(*) AS n FROM image_labels').get()).toEqual({ n: 0 })
    db.close()
  })
})

describe('validateNamespace', () => {
  it.each(['default', 'k8s.io', 'a-b_c.d', 'A1', 'x'.repeat(76)])('accepts %s', (ns) =>
    expect(validateNamespace(ns)).toBe(ns),
  )
  it('requires one', () => {
    expect(() => validateNamespace('')).toThrow(/namespace is required/)
    try {
      validateNamespace('')
    } catch (e) {
      expect(isKind(e, 'failed-precondition')).toBe(true)
    }
  })
  it.each(['-a', 'a-', 'a..b', 'a b', 'ü', 'x'.repeat(77), 'a/b', '.a'])('rejects %j', (ns) => {
    try {
      validateNamespace(ns)
      expect.unreachable()
    } catch (e) {
      expect(isKind(e, 'invalid-argument')).toBe(true)
    }
  })
})
