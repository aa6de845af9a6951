// Jobs: Cancel racing the finish. A job whose body completed (its result is in the store) is reported
// done even when Cancel arrived while it was completing; a body that stops because of the Cancel is
// reported cancelled.
import { describe, expect, it } from 'vitest'
import type { JobDone } from '../../src-preload/api'
import { Jobs } from '../../src-main/service/jobs'

function harness() {
  const done: JobDone[] = []
  const jobs = new Jobs({ progress: () => {}, done: (d) => done.push(d) })
  const finished = (id: string) =>
    new Promise<JobDone>((resolve) => {
      const t = setInterval(() => {
        const d = done.find((x) => x.id === id)
        if (d) {
          clearInterval(t)
          resolve(d)
        }
      }, 2)
    })
  return { jobs, finished }
}

describe('Jobs', () => {
  it('reports a job that completed as done, though Cancel arrived while it was completing', async () => {
    const { jobs, finished } = harness()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    // The body ignores the signal at its last step (a commit cannot be undone), then returns its result.
    const ref = jobs.start('import', async () => {
      started()
      await gate
      return { images: ['docker.io/library/app:1'] }
    })
    await running
    expect(jobs.cancel(ref.id)).toBe(true)
    release()
    const d = await finished(ref.id)
    expect(d).toMatchObject({ ok: true, images: ['docker.io/library/app:1'] })
    expect(jobs.cancel(ref.id)).toBe(false)
  })

  it('reports a job that stopped because of Cancel as cancelled', async () => {
    const { jobs, finished } = harness()
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    const ref = jobs.start('export', (signal) => {
      started()
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
    })
    await running
    expect(jobs.cancel(ref.id)).toBe(true)
    const d = await finished(ref.id)
    expect(d).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
  })

  it('reports a failure that is not the Cancel as that failure', async () => {
    const { jobs, finished } = harness()
    const ref = jobs.start('pull', async () => {
      throw new Error('registry said no')
    })
    const d = await finished(ref.id)
    expect(d).toMatchObject({ ok: false, error: { message: expect.stringContaining('registry said no') } })
    expect(d.error?.kind).not.toBe('cancelled')
  })
})
