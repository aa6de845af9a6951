// Long operations (import, export) as jobs: the call returns an id at once, progress and the outcome
// arrive as events, and a job can be cancelled through its AbortSignal.
import { randomUUID } from 'node:crypto'
import type { JobBlob, JobDone, JobProgress, JobRef } from '../../src-preload/api'
import { CancelledError, toWireError } from './errors'

export type JobKind = JobRef['kind']
export interface JobReport {
  (phase: string, done: number, total: number, blobs?: JobBlob[]): void
}
export type JobBody = (
  signal: AbortSignal,
  progress: JobReport,
) => Promise<{ images?: string[]; path?: string }>

export interface JobSink {
  progress(p: JobProgress): void
  done(d: JobDone): void
}

/** Progress events are coalesced to at most one per interval per job: a UI needs no more. */
const PROGRESS_INTERVAL_MS = 100

export class Jobs {
  private readonly running = new Map<string, AbortController>()

  constructor(private readonly sink: JobSink) {}

  start(kind: JobKind, body: JobBody): JobRef {
    const id = randomUUID()
    const ac = new AbortController()
    this.running.set(id, ac)
    let last = 0
    const progress: JobReport = (phase, done, total, blobs) => {
      const now = Date.now()
      if (now - last < PROGRESS_INTERVAL_MS && done < total) return
      last = now
      this.sink.progress({ id, kind, phase, done, total, ...(blobs ? { blobs } : {}) })
    }
    // Started on the next tick so the caller has the id before the first event.
    setImmediate(() => {
      body(ac.signal, progress)
        .then((r) => {
          if (ac.signal.aborted) throw new CancelledError(`${kind} cancelled`)
          this.sink.done({ id, kind, ok: true, ...r })
        })
        .catch((e: unknown) => {
          const error = ac.signal.aborted
            ? { kind: 'cancelled' as const, message: `${kind} cancelled` }
            : toWireError(e)
          this.sink.done({ id, kind, ok: false, error })
        })
        .finally(() => this.running.delete(id))
    })
    return { id, kind }
  }

  cancel(id: string): boolean {
    const ac = this.running.get(id)
    if (!ac) return false
    ac.abort(new CancelledError())
    return true
  }

  get active(): number {
    return this.running.size
  }
}
