// content.setLabels against another process: the editor's "changed since I read it" check and the write
// must be one step, or a label another process (the berth CLI) writes in between is silently lost.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBlob } from '../../src-main/core/content/store'
import { digestOf } from '../../src-main/core/digest'
import { MediaTypeOCIConfig } from '../../src-main/core/oci'
import { openBerth, type Berth } from '../../src-main/service/berth'
import type { Handlers } from '../../src-main/service/index'
import { testHandlers } from './handlers'

const NS = 'default'
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3')
let dir: string
let berth: Berth
let h: Handlers
let digest: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-content-labels-'))
  berth = openBerth({ root: dir })
  h = testHandlers(berth)
  const data = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
  digest = digestOf(data)
  await writeBlob(berth.content, NS, 'cfg', data, {
    mediaType: MediaTypeOCIConfig,
    digest,
    size: data.length,
  })
})

afterAll(() => {
  berth?.close()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Another process in the middle of a label write: it takes the write lock, sets `key`, says "locked",
 * and commits `holdMs` later. Resolves once it holds the lock; `committed` settles when it exits.
 */
async function otherWriter(key: string, value: string, holdMs: number) {
  const script = `
    const Database = require(${JSON.stringify(BETTER_SQLITE3)})
    const db = new Database(${JSON.stringify(join(dir, 'berth.db'))})
    db.pragma('busy_timeout = 5000')
    db.prepare('BEGIN IMMEDIATE').run()
    db.prepare('INSERT OR REPLACE INTO content_labels (namespace, digest, key, value) VALUES (?, ?, ?, ?)')
      .run(${JSON.stringify(NS)}, ${JSON.stringify(digest)}, ${JSON.stringify(key)}, ${JSON.stringify(value)})
    db.prepare('UPDATE content SET updated_at = updated_at + 1000 WHERE namespace = ? AND digest = ?')
      .run(${JSON.stringify(NS)}, ${JSON.stringify(digest)})
    process.stdout.write('locked\\n')
    setTimeout(() => { db.prepare('COMMIT').run(); db.close() }, ${holdMs})`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const committed = new Promise<number | null>((resolve) => child.once('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && resolve())
    child.once('exit', (code) => reject(new Error(`the other writer exited (${code}) before locking`)))
  })
  return { committed }
}

describe('content.setLabels', () => {
  it('refuses, as a conflict, a save whose blob another process relabelled after the editor read it', async () => {
    const before = (await h['content.list']({ namespace: NS, filter: `digest==${digest}` })).items[0]
    const other = await otherWriter('owner', 'cli', 300)
    // The editor read `before`; the CLI's write is not committed yet when the save starts.
    const save = h['content.setLabels']({
      namespace: NS,
      digest,
      changes: { owner: 'app' },
      expectedUpdatedAt: before.updatedAt,
    })
    await expect(save).rejects.toMatchObject({ kind: 'conflict', keys: ['owner'] })
    expect(await other.committed).toBe(0)
    const after = (await h['content.list']({ namespace: NS, filter: `digest==${digest}` })).items[0]
    expect(after.labels.owner).toBe('cli')
  })

  it('saves a change made from the stored state, and then refuses the stale one', async () => {
    const read = (await h['content.list']({ namespace: NS, filter: `digest==${digest}` })).items[0]
    const saved = await h['content.setLabels']({
      namespace: NS,
      digest,
      changes: { owner: 'app', team: 'x' },
      expectedUpdatedAt: read.updatedAt,
    })
    expect(saved.labels).toMatchObject({ owner: 'app', team: 'x' })
    await expect(
      h['content.setLabels']({
        namespace: NS,
        digest,
        changes: { team: 'y' },
        expectedUpdatedAt: read.updatedAt,
      }),
    ).rejects.toMatchObject({ kind: 'conflict' })
  })
})
