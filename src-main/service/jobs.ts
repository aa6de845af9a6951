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
) => Promise<{ images?: string[]; path?: string; notes?: string[] }>

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
    // The newest report held back by the interval: sent when the interval ends, so a transfer that
    // stalls still shows where it stalled rather than where it was 100 ms earlier.
    let pending: JobProgress | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = (): void => {
      timer = undefined
      if (!pending || !this.running.has(id)) return
      last = Date.now()
      this.sink.progress(pending)
      pending = null
    }
    const progress: JobReport = (phase, done, total, blobs) => {
      pending = { id, kind, phase, done, total, ...(blobs ? { blobs } : {}) }
      const wait = PROGRESS_INTERVAL_MS - (Date.now() - last)
      if (wait <= 0 || done >= total) {
        clearTimeout(timer)
        flush()
      } else if (timer === undefined) {
        timer = setTimeout(flush, wait)
      }
    }
    // Started on the next tick so the caller has the id before the first event.
    setImmediate(() => {
      body(ac.signal, progress).then(
        (r) => {
          // A body that returned has done its work (its images are in the store): a Cancel that came
          // while it was finishing changed nothing, so the job is done, not cancelled.
          this.finish(id, timer)
          this.sink.done({ id, kind, ok: true, ...r })
        },
        (e: unknown) => {
          this.finish(id, timer)
          const error = ac.signal.aborted
            ? { kind: 'cancelled' as const, message: `${kind} cancelled` }
            : toWireError(e)
          this.sink.done({ id, kind, ok: false, error })
        },
      )
    })
    return { id, kind }
  }

  /** The body has settled: from here on Cancel has nothing to stop. */
  private finish(id: string, timer: ReturnType<typeof setTimeout> | undefined): void {
    clearTimeout(timer)
    this.running.delete(id)
  }

  cancel(id: string): boolean {
    const ac = this.running.get(id)
    if (!ac) return false
    ac.abort(new CancelledError())
    return true
  }

  /** Cancels every running job (the store is closing); returns how many were running. */
  cancelAll(): number {
    for (const ac of this.running.values()) ac.abort(new CancelledError())
    return this.running.size
  }

  get active(): number {
    return this.running.size
  }
}
