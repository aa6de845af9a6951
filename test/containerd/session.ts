// What the containerd source suites share: a real daemon (daemon.ts), a Berth store on disk, and the
// service's handlers over both, as the window and the loopback bridge call them, with the events kept.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventName, Events, JobDone, JobProgress } from '../../src-preload/api'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { createHandlers, type Handlers } from '../../src-main/service/index'
import type { Sources } from '../../src-main/service/sources/registry'
import { coreTransfer } from '../../src-main/service/transfer'
import { startDaemon, type Daemon } from './daemon'

export const HOST = { os: 'linux', architecture: 'amd64' }

export interface Session {
  d: Daemon
  dir: string
  berth: Berth
  h: Handlers & { sources: Sources }
  events: { event: EventName; payload: unknown }[]
  /** Called with every event as it is emitted (a test reacts to progress mid-job). */
  listeners: ((event: EventName, payload: unknown) => void)[]
  waitJob(id: string, timeoutMs?: number): Promise<JobDone>
  progress(id: string): JobProgress[]
  /** ctr's image names in a namespace. */
  ctrNames(ns?: string): string[]
  close(): Promise<void>
}

export async function openSession(): Promise<Session | undefined> {
  const d = await startDaemon()
  if (!d) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'bcs-'))
  const berth = openBerth({ root: join(dir, 'root'), host: HOST })
  const events: Session['events'] = []
  const listeners: Session['listeners'] = []
  const h = createHandlers(berth, {
    emit: <E extends EventName>(event: E, payload: Events[E]) => {
      events.push({ event, payload })
      for (const l of listeners) l(event, payload)
    },
    appInfo: () => ({
      name: 'Berth',
      version: '0',
      electron: null,
      node: process.versions.node,
      chromium: null,
      platform: 'linux/x64',
      storePath: berth.root,
      hostPlatform: 'linux/amd64',
    }),
    transfer: coreTransfer,
    // The poll is out of the way: a change the daemon makes must arrive through its event stream.
    sources: { pollMs: 600_000, syncTtlMs: 0 },
  })
  return {
    d,
    dir,
    berth,
    h,
    events,
    listeners,
    waitJob: (id, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const end = Date.now() + timeoutMs
        const t = setInterval(() => {
          const e = events.find((x) => x.event === 'job.done' && (x.payload as JobDone).id === id)
          if (e || Date.now() > end) {
            clearInterval(t)
            if (e) resolve(e.payload as JobDone)
            else reject(new Error(`job ${id} did not finish within ${timeoutMs} ms`))
          }
        }, 10)
      }),
    progress: (id) =>
      events
        .filter((x) => x.event === 'job.progress' && (x.payload as JobProgress).id === id)
        .map((x) => x.payload as JobProgress),
    ctrNames: (ns = 'default') =>
      d
        .ctr('-n', ns, 'images', 'ls', '-q')
        .split('\n')
        .filter((l) => l !== ''),
    async close() {
      h.sources.close()
      berth.close()
      await d.dispose()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
