// The app's service and four `berth` CLI processes writing one store at once: labels, tags, new and
// removed images, imports, and the app's Delete (which collects garbage). Shared by the test (a short
// run) and bench/writers.ts (a long one). Returns everything needed to judge the run.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import type { Events, EventName, JobDone } from '../../src-preload/api'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { createHandlers, type Handlers } from '../../src-main/service/index'
import { coreTransfer } from '../../src-main/service/transfer'
import { singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { SHARED, tagName, type WriterLog } from './cli-writer'

const PROJECT = resolve(__dirname, '..', '..')
const NS = 'default'

export interface AppLog {
  lastLabel: number
  conflicts: number
  created: string[]
  removed: string[]
  operations: number
  failures: string[]
}

export interface WritersRun {
  cli: WriterLog[]
  app: AppLog
  /** Labels of the shared image and every image name, read after all writers stopped. */
  finalLabels: Record<string, string>
  finalNames: string[]
  childErrors: string[]
}

function handlers(berth: Berth): { h: Handlers; done: (id: string) => Promise<JobDone> } {
  const waiting = new Map<string, (d: JobDone) => void>()
  const finished = new Map<string, JobDone>()
  const h = createHandlers(berth, {
    emit: <E extends EventName>(event: E, payload: Events[E]) => {
      if (event !== 'job.done') return
      const d = payload as JobDone
      const w = waiting.get(d.id)
      if (w) w(d)
      else finished.set(d.id, d)
    },
    appInfo: () => {
      throw new Error('not used')
    },
    transfer: coreTransfer,
  })
  const done = (id: string) =>
    new Promise<JobDone>((res) => {
      const d = finished.get(id)
      if (d) res(d)
      else waiting.set(id, res)
    })
  return { h, done }
}

/** Sets up a store under dir and runs the writers for `ms` milliseconds (the app's too unless told not). */
export async function runWriters(
  dir: string,
  ms: number,
  opts: { cli?: number; app?: boolean } = {},
): Promise<WritersRun> {
  const cliCount = opts.cli ?? 4
  const root = join(dir, 'root')
  const berth = openBerth({ root, host: { os: 'linux', architecture: 'amd64' } })
  try {
    const { h, done } = handlers(berth)
    const seedArchive = join(dir, 'shared.tar')
    writeOCIArchive(seedArchive, [{ fixture: singlePlatformImage({ seed: 'shared' }), name: SHARED }])
    const seeded = await done((await h['images.import']({ namespace: NS, path: seedArchive })).id)
    if (!seeded.ok) throw new Error(`seeding the store failed: ${JSON.stringify(seeded.error)}`)

    const children = Array.from({ length: cliCount }, (_, k) => {
      const archive = join(dir, `cli-${k}.tar`)
      const fx = singlePlatformImage({ seed: `cli-${k}` })
      writeOCIArchive(archive, [{ fixture: fx, name: tagName(`imported-${k}`, 1) }])
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'cli-writer.ts'), root, String(k), String(ms), archive],
        { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let out = ''
      let err = ''
      child.stdout.on('data', (b: Buffer) => (out += b.toString()))
      child.stderr.on('data', (b: Buffer) => (err += b.toString()))
      return new Promise<{ log?: WriterLog; error?: string }>((res) =>
        child.on('exit', (code) => {
          if (code !== 0) return res({ error: `cli-writer ${k} exited ${code}: ${err}` })
          res({ log: JSON.parse(out.trim().split('\n').pop() ?? '') as WriterLog })
        }),
      )
    })

    const app = opts.app === false ? emptyAppLog() : await appWriter(berth, h, ms)
    const results = await Promise.all(children)
    const image = berth.images.get(NS, SHARED)
    return {
      cli: results.flatMap((r) => (r.log ? [r.log] : [])),
      app,
      finalLabels: image.labels,
      finalNames: berth.images.list(NS).map((i) => i.name),
      childErrors: results.flatMap((r) => (r.error ? [r.error] : [])),
    }
  } finally {
    berth.close()
  }
}

/**
 * What a run got wrong: a writer's last label missing or overwritten by an older value, an image made
 * and not removed that is gone, or one removed that is back. Empty when nothing was lost.
 */
export function lostUpdates(r: WritersRun): string[] {
  const out: string[] = []
  const label = (key: string, want: number) => {
    if (want > 0 && r.finalLabels[key] !== String(want))
      out.push(`label ${key} is ${JSON.stringify(r.finalLabels[key])}, but ${want} was set last`)
  }
  for (const l of r.cli) label(`cli-${l.k}`, l.lastLabel)
  label('app', r.app.lastLabel)
  const want = new Set([SHARED])
  for (const l of [...r.cli, r.app]) {
    for (const n of l.created) want.add(n)
    for (const n of l.removed) want.delete(n)
  }
  for (const l of r.cli) if (l.importedPresent) want.add(tagName(`imported-${l.k}`, 1))
  const have = new Set(r.finalNames)
  for (const n of want) if (!have.has(n)) out.push(`image ${n} was created and never removed, but is gone`)
  for (const n of have) if (!want.has(n)) out.push(`image ${n} is there, but was removed (or never made)`)
  return out
}

function emptyAppLog(): AppLog {
  return { lastLabel: 0, conflicts: 0, created: [], removed: [], operations: 0, failures: [] }
}

/** The app's side: label edits from an editor that read the image first, Tag, and Delete with its GC. */
async function appWriter(berth: Berth, h: Handlers, ms: number): Promise<AppLog> {
  const log = emptyAppLog()
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    log.operations++
    try {
      await fn()
      return true
    } catch (e) {
      if ((e as { kind?: string }).kind === 'conflict') {
        log.conflicts++
        return false
      }
      log.failures.push(`${what}: ${(e as Error).name}: ${(e as Error).message}`)
      return false
    }
  }
  const deadline = Date.now() + ms
  for (let i = 1; Date.now() < deadline; i++) {
    // As the Labels editor does: read, then save against the updatedAt it read.
    const read = berth.images.get(NS, SHARED)
    const saved = await attempt('images.setLabels', () =>
      h['images.setLabels']({
        namespace: NS,
        name: SHARED,
        changes: { app: String(i) },
        expectedUpdatedAt: read.updatedAt.toISOString(),
      }),
    )
    if (saved) log.lastLabel = i
    const name = tagName('app', i)
    if (await attempt('images.tag', () => h['images.tag']({ namespace: NS, source: SHARED, target: name })))
      log.created.push(name)
    if (i > 3) {
      const old = tagName('app', i - 3)
      if (await attempt('images.remove', () => h['images.remove']({ namespace: NS, names: [old] })))
        log.removed.push(old)
    }
    // Let the event loop breathe, as the app's IPC would between calls.
    await new Promise((r) => setImmediate(r))
  }
  return log
}
