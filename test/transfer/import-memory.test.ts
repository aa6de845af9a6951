// Memory, not time: importing a compressed archive must not hold what streamed past. Each chunk of a
// .tar.gz used to be raced against a promise that never settles, so every chunk stayed reachable until the
// import ended (≈ +450 MiB of RSS for a 512 MiB layer). Measured in a child process (import-memory-child.ts)
// so this worker's heap does not blur the numbers; bench/import-memory.ts runs the multi-GiB version.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { finished } from '../core/content/helpers'

const MiB = 1 << 20
const LAYER_MIB = 256
const ROOT = join(__dirname, '..', '..')

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('import memory', () => {
  // About 10 s here: 256 MiB must cross the disk for the growth to mean anything (the old leak was
  // +220 MiB at this size; bench/import-memory.ts measures 4 GiB).
  it(`a ${LAYER_MIB} MiB .tar.gz import raises RSS by at most 64 MiB while it streams`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-import-mem-'))
    dirs.push(dir)
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/transfer/import-memory-child.ts', dir, String(LAYER_MIB)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const r = await finished(child)
    expect(r.code, r.err).toBe(0)
    const m = JSON.parse(r.out.trim()) as {
      baseline: number
      peak: number
      heapGrowth: number
      digestOk: boolean
    }
    console.log(
      `import of a ${LAYER_MIB} MiB .tar.gz: RSS +${((m.peak - m.baseline) / MiB).toFixed(1)} MiB, heap ${(m.heapGrowth / MiB).toFixed(1)} MiB`,
    )
    expect(m.digestOk).toBe(true)
    expect(m.peak - m.baseline).toBeLessThanOrEqual(64 * MiB)
    expect(m.heapGrowth).toBeLessThanOrEqual(8 * MiB)
  }, 120_000)
})
