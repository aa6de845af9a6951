// Memory bound, not a time bound: streaming a blob far larger than any buffer through the store must
// not hold it in memory. Measured in a child process (memory-child.ts) so this worker's heap does not
// blur the numbers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { finished, spawnTs } from './helpers'

const MiB = 1 << 20
// 2 GiB by default; BERTH_MEMTEST_MIB lowers it on a machine short of disk.
const WRITER_MIB = Number(process.env.BERTH_MEMTEST_MIB ?? 2048)
const STREAM_MIB = Math.min(WRITER_MIB, 512)

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function measure(mode: 'writer' | 'stream', mib: number) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-mem-'))
  dirs.push(dir)
  const r = await finished(spawnTs('test/core/content/memory-child.ts', [dir, mode, String(mib)]))
  expect(r.code, r.err).toBe(0)
  const m = JSON.parse(r.out.trim()) as { baseline: number; peak: number; digestOk: boolean; size: number }
  console.log(
    `${mode} ${mib} MiB: RSS baseline ${(m.baseline / MiB).toFixed(1)} MiB, peak +${((m.peak - m.baseline) / MiB).toFixed(1)} MiB`,
  )
  expect(m.digestOk).toBe(true)
  expect(m.size).toBe(mib * MiB)
  return m.peak - m.baseline
}

describe('memory', () => {
  it(`Writer.write of ${WRITER_MIB} MiB from a reused buffer raises RSS by at most 8 MiB`, async () => {
    expect(await measure('writer', WRITER_MIB)).toBeLessThanOrEqual(8 * MiB)
  }, 180_000)

  // Each chunk is a fresh Buffer here, freed only when V8 collects external memory (it lets tens of
  // MiB pile up first), so the bound is looser — but far below the blob's size.
  it(`writeStream of ${STREAM_MIB} MiB of fresh 1 MiB chunks raises RSS by at most 96 MiB`, async () => {
    expect(await measure('stream', STREAM_MIB)).toBeLessThanOrEqual(96 * MiB)
  }, 180_000)
})
