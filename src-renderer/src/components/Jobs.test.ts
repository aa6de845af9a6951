import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from '../lib/state.svelte'
import { installFakeBerth } from '../test/fake-berth'
import Jobs from './Jobs.svelte'

beforeEach(() => app.reset())

const d = (c: string) => 'sha256:' + c.repeat(64)

describe('Jobs', () => {
  it('shows a pull with one bar per blob, and cancels it', async () => {
    const fake = installFakeBerth({ 'jobs.cancel': () => ({ cancelled: true }) })
    app.addJob('j1', 'pull', 'Pull registry.example/app:1')
    app.jobProgress({
      id: 'j1',
      kind: 'pull',
      phase: 'downloading',
      done: 1500,
      total: 3000,
      blobs: [
        {
          digest: d('a'),
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          size: 2000,
          offset: 500,
          state: 'downloading',
        },
        {
          digest: d('b'),
          mediaType: 'application/vnd.oci.image.config.v1+json',
          size: 1000,
          offset: 1000,
          state: 'done',
        },
      ],
    })
    render(Jobs)
    const blobs = screen.getByRole('list', { name: 'Pull registry.example/app:1 blobs' })
    const bars = blobs.querySelectorAll('progress')
    expect(bars).toHaveLength(2)
    expect(bars[0]).toHaveAttribute('value', '500')
    expect(bars[0]).toHaveAttribute('max', '2000')
    expect(blobs).toHaveTextContent('aaaaaaaa')
    expect(blobs).toHaveTextContent('done')
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel Pull registry.example/app:1' }))
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'jobs.cancel')?.args[0]).toEqual({ id: 'j1' }),
    )
  })

  it('lists what a finished export left out', () => {
    installFakeBerth({})
    app.addJob('j2', 'export', 'Export app:1')
    app.jobDone({
      id: 'j2',
      kind: 'export',
      ok: true,
      path: '/tmp/app.tar',
      notes: ['app:1: left out linux/arm64 (sha256:…): 2 of its blobs are missing from the store'],
    })
    render(Jobs)
    expect(screen.getByRole('list', { name: 'Export app:1 notes' })).toHaveTextContent('left out linux/arm64')
  })

  it('shows a job done whose job.done arrived before the call that started it answered', async () => {
    render(Jobs)
    app.jobDone({ id: 'quick', kind: 'index', ok: true, images: ['demo:1'] })
    app.addJob('quick', 'index', 'Index files of demo:1')
    expect(await screen.findByText('done')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Cancel Index files of demo:1' })).toBeNull()
  })
})
