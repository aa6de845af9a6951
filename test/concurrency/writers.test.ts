// The app's service and four CLI processes writing labels, tags and images on one store at once
// (issue 11.4): no raw SQLite error anywhere, and no lost update. bench/writers.ts runs the same for
// 30 s and reports throughput; here it runs long enough for a thousand and more contended transactions.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { lostUpdates, runWriters, type WritersRun } from './writers'

const MS = Number(process.env.BERTH_WRITERS_MS ?? 12_000)
let dir: string
let r: WritersRun

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-writers-'))
  r = await runWriters(dir, MS)
  const ops = r.cli.reduce((n, l) => n + l.commands, 0)
  console.log(
    `concurrent writers, ${MS} ms: ${ops} CLI commands in ${r.cli.length} processes, ` +
      `${r.app.operations} app calls (${r.app.conflicts} label conflicts reported to the editor)`,
  )
}, MS + 90_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('every CLI command and every app call succeeded (a conflict is the editor being told, not a failure)', () => {
  expect(r.childErrors).toEqual([])
  expect(r.cli).toHaveLength(4)
  expect(r.cli.flatMap((l) => l.failures)).toEqual([])
  expect(r.app.failures).toEqual([])
  for (const l of r.cli) expect(l.commands).toBeGreaterThan(10)
  expect(r.app.operations).toBeGreaterThan(10)
})

it('no update was lost: the last label each writer set is there, and the images are those made and not removed', () => {
  expect(lostUpdates(r)).toEqual([])
})
