// The service's handlers as the app builds them, over a store a test (or a benchmark) opened: events go
// to `events`, app.info answers plainly, import and export use the core transfer helpers.
import type { EventName, Events, JobDone } from '../../src-preload/api'
import type { Berth } from '../../src-main/service/berth'
import { createHandlers, type Handlers } from '../../src-main/service/index'
import { coreTransfer } from '../../src-main/service/transfer'

export interface Recorded {
  event: EventName
  payload: unknown
}

export function testHandlers(berth: Berth, events: Recorded[] = []): Handlers {
  return createHandlers(berth, {
    emit: <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload }),
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
  })
}

/** The job.done of job `id`, once it has been recorded. */
export function waitJob(events: Recorded[], id: string): Promise<JobDone> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      const e = events.find((x) => x.event === 'job.done' && (x.payload as JobDone).id === id)
      if (e) {
        clearInterval(t)
        resolve(e.payload as JobDone)
      }
    }, 10)
  })
}
