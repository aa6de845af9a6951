// The ingest lock where /proc is missing (macOS, Windows): a live owner keeps its lock, a dead one
// loses it. Tested for real in a mount namespace with an empty /proc, and through an injected probe.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inspectLock, LOCK_FILE, ownerAlive } from '../../../src-main/core/content/lock'
import {
  osProbe,
  sameStart,
  START_TOLERANCE_MS,
  type ProcessProbe,
} from '../../../src-main/core/content/process-probe'
import { ContentStore } from '../../../src-main/core/content/store'
import { openDatabase } from '../../../src-main/core/db'
import { gc } from '../../../src-main/core/gc'
import { expectKind, PROJECT_ROOT } from './helpers'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-lock-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Why a namespace with an empty /proc cannot be made here, or undefined when it can. */
function noProcUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'unshare is Linux-only'
  const r = spawnSync('unshare', ['-m', '--fork', 'sh', '-c', 'mount -t tmpfs none /proc'], {
    encoding: 'utf8',
  })
  if (r.error) return `unshare is not installed (${r.error.message})`
  if (r.status !== 0) return `unshare -m is not permitted here: ${r.stderr.trim()}`
  return undefined
}

describe('without /proc', () => {
  const reason = noProcUnavailable()
  if (reason) console.log(`skipping the no-/proc lock test: ${reason}`)

  it.skipIf(reason !== undefined)(
    'a second writer, inspectLock and GC all see the live holder; once it is killed the lock is stale',
    () => {
      const r = spawnSync(
        'unshare',
        [
          '-m',
          '--fork',
          'sh',
          '-c',
          'mount -t tmpfs none /proc && exec "$0" --import tsx test/core/content/noproc-child.ts "$1"',
          process.execPath,
          dir,
        ],
        { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 },
      )
      expect(r.status, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual({
        procMounted: false,
        secondWriter: 'unavailable',
        heldWhileLive: true,
        ingestsAfterGc: ['held-ref'],
        afterKill: 7,
      })
    },
  )
})

/** A probe over a made-up process table: pid → start time (undefined: the OS cannot tell). */
function tableProbe(table: Map<number, string | null | undefined>): ProcessProbe {
  return {
    running: (pid) => table.has(pid),
    startTime: (pid) => (table.has(pid) ? table.get(pid) : null),
    self: () => 'at:1000000',
  }
}

describe('liveness through an injected probe', () => {
  const T = 1_750_000_000_000

  it('a running pid with no start-time source keeps its lock; a gone pid, garbage or a zombie does not', () => {
    const probe = tableProbe(new Map([[4242, undefined]]))
    expect(ownerAlive('4242', probe)).toBe(true)
    expect(ownerAlive(`4242:at:${T}`, probe)).toBe(true)
    expect(ownerAlive('4243', probe)).toBe(false)
    expect(ownerAlive('', probe)).toBe(false)
    expect(ownerAlive('not a pid', probe)).toBe(false)
    expect(ownerAlive('-1', probe)).toBe(false)
    expect(ownerAlive('4242:boot:7', tableProbe(new Map([[4242, null]])))).toBe(false)
  })

  it('a start time decides pid reuse: same start (within the tolerance for clock-based ones) is the owner', () => {
    const at = (ms: number) => tableProbe(new Map([[4242, `at:${ms}`]]))
    expect(ownerAlive(`4242:at:${T}`, at(T + 900))).toBe(true) // ps reports whole seconds
    expect(ownerAlive(`4242:at:${T}`, at(T - START_TOLERANCE_MS))).toBe(true)
    expect(ownerAlive(`4242:at:${T}`, at(T + START_TOLERANCE_MS + 1))).toBe(false)
    expect(ownerAlive(`4242:at:${T}`, at(T + 3_600_000))).toBe(false)
    const boot = (ticks: string) => tableProbe(new Map([[4242, `boot:${ticks}`]]))
    expect(ownerAlive('4242:boot:123', boot('123'))).toBe(true)
    expect(ownerAlive('4242:boot:123', boot('124'))).toBe(false)
    expect(ownerAlive('4242:123', boot('123'))).toBe(true) // the lock text of earlier Berth versions
    // Forms that cannot be compared (a lock written without /proc, read with it) keep the lock.
    expect(ownerAlive(`4242:at:${T}`, boot('123'))).toBe(true)
  })

  it('the store, GC and the sweep all ask the injected probe', async () => {
    const root = join(dir, 'content')
    const pid = 999_999_999 // no such process on this machine: the OS's own probe would break its lock
    const alive = new Map<number, string | undefined>([[pid, undefined]])
    const db = openDatabase(join(dir, 'berth.db'))
    try {
      const cs = new ContentStore(root, db, { probe: tableProbe(alive) })
      const w = await cs.writer('ns', { ref: 'r' })
      await w.write(Buffer.from('partial'))
      await w.close()
      const [name] = readdirSync(join(root, 'ingest'))
      writeFileSync(join(root, 'ingest', name, LOCK_FILE), `${pid}`)

      await expectKind(cs.writer('ns', { ref: 'r' }), 'unavailable', /locked for write by process 999999999/)
      const later = () => new Date(Date.now() + 48 * 3600_000)
      gc(db, { root, now: later, probe: tableProbe(alive) })
      expect((await cs.listStatuses('ns')).map((s) => s.ref)).toEqual(['r'])
      expect(inspectLock(join(root, 'ingest', name), tableProbe(alive)).held).toBe(true)
      expect(inspectLock(join(root, 'ingest', name)).held).toBe(false)

      alive.clear() // the owner exits
      const again = await cs.writer('ns', { ref: 'r' })
      expect((await again.status()).offset).toBe(7)
      await again.close()
    } finally {
      db.close()
    }
  })
})

describe('the OS probes this machine can run', () => {
  it('ps -o lstart (the macOS and BSD source) names this process and agrees with its own clock', () => {
    const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(process.pid)], { encoding: 'utf8' })
    if (ps.status !== 0) {
      console.log(`skipping the ps probe test: ps -o lstart does not work here (${ps.stderr ?? ps.error})`)
      return
    }
    const probe = osProbe('darwin')
    const mine = probe.startTime(process.pid)
    expect(mine).toMatch(/^at:\d+$/)
    expect(sameStart(mine as string, probe.self() as string)).toBe(true)
    expect(ownerAlive(`${process.pid}:${probe.self()}`, probe)).toBe(true)
  })

  it('Windows: PowerShell names this process where it runs; where it cannot, the pid alone decides', () => {
    const probe = osProbe('win32')
    if (spawnSync('powershell.exe', ['-NoProfile', '-Command', 'exit 0']).status === 0) {
      expect(sameStart(probe.startTime(process.pid) as string, probe.self() as string)).toBe(true)
      return
    }
    expect(probe.startTime(process.pid)).toBeUndefined()
    expect(ownerAlive(`${process.pid}:${probe.self()}`, probe)).toBe(true)
    expect(ownerAlive(`999999999:${probe.self()}`, probe)).toBe(false)
  })

  it.skipIf(process.platform !== 'linux')('Linux reads /proc: clock ticks since boot, exact', () => {
    const probe = osProbe('linux')
    expect(probe.self()).toMatch(/^boot:\d+$/)
    expect(probe.startTime(process.pid)).toBe(probe.self())
    expect(probe.startTime(999_999_999)).toBeNull()
  })
})
