// The end of a job a view started, whichever comes first: the call's answer (the job's id) or the job's
// job.done event — a quick job (indexing a small image) can end before the call that started it returns.
import type { JobDone } from '../../../src-preload/api'
import { on } from './api'

export interface JobWatch {
  /** Resolves with the job's outcome, already known or still to come. */
  done(id: string): Promise<JobDone>
  stop(): void
}

export function watchJobs(): JobWatch {
  const ended = new Map<string, JobDone>()
  const waiting = new Map<string, (d: JobDone) => void>()
  const off = on('job.done', (d) => {
    const w = waiting.get(d.id)
    if (w) {
      waiting.delete(d.id)
      w(d)
      return
    }
    ended.set(d.id, d)
    if (ended.size > 50) ended.delete(ended.keys().next().value as string)
  })
  return {
    done(id) {
      const d = ended.get(id)
      if (d) {
        ended.delete(id)
        return Promise.resolve(d)
      }
      return new Promise((resolve) => waiting.set(id, resolve))
    },
    stop: off,
  }
}
