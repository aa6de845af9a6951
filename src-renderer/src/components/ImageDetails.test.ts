import { render, screen } from '@testing-library/svelte'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { app } from '../lib/state.svelte'
import { details, installFakeBerth, summary } from '../test/fake-berth'
import ImageDetails from './ImageDetails.svelte'

beforeEach(() => app.reset())

describe('ImageDetails', () => {
  it('keeps the newest details when a reload started earlier answers later', async () => {
    let calls = 0
    installFakeBerth({
      'images.details': ({ name }) => {
        const first = ++calls === 1
        const d = details(name, { summary: summary(name, { targetSize: first ? 1111 : 2222 }) })
        return first ? new Promise((r) => setTimeout(() => r(d), 200)) : d
      },
    })
    app.view = { name: 'image', image: 'demo:1' }
    render(ImageDetails, { props: { name: 'demo:1' } })
    app.revision++
    expect(await screen.findByText(/2\.2 KiB\)/)).toBeInTheDocument()
    await new Promise((r) => setTimeout(r, 300))
    expect(screen.queryByText(/1\.1 KiB\)/)).toBeNull()
  })

  it('offers Push… on Berth’s store only: a containerd daemon pushes nothing', async () => {
    installFakeBerth({ 'images.details': ({ name }) => details(name) })
    app.view = { name: 'image', image: 'demo:1' }
    const { unmount } = render(ImageDetails, { props: { name: 'demo:1' } })
    expect(await screen.findByRole('button', { name: 'Push…' })).toBeInTheDocument()
    unmount()
    app.sources = [
      { id: 'berth', kind: 'berth', name: 'Berth', active: false },
      {
        id: 'containerd-1',
        kind: 'containerd',
        name: 'containerd · default',
        address: '/run/containerd/containerd.sock',
        namespace: 'default',
        active: true,
      },
    ]
    render(ImageDetails, { props: { name: 'demo:1' } })
    await screen.findByText('present')
    expect(screen.queryByRole('button', { name: 'Push…' })).toBeNull()
  })

  it('ends the host work of a details load it no longer wants: on close, and when a newer load starts', async () => {
    const fake = installFakeBerth({
      'images.details': () => new Promise<never>(() => {}),
      'calls.cancel': () => ({ cancelled: true }),
    })
    app.view = { name: 'image', image: 'demo:1' }
    const view = render(ImageDetails, { props: { name: 'demo:1' } })
    const tickets = () =>
      fake.calls
        .filter((c) => c.channel === 'images.details')
        .map((c) => (c.args[0] as { ticket?: string }).ticket)
    const cancelled = () =>
      fake.calls
        .filter((c) => c.channel === 'calls.cancel')
        .map((c) => (c.args[0] as { ticket: string }).ticket)
    await vi.waitFor(() => expect(tickets()).toHaveLength(1))
    app.revision++
    await vi.waitFor(() => expect(tickets()).toHaveLength(2))
    const [first, second] = tickets()
    expect(first).toBeTruthy()
    expect(second).not.toBe(first)
    expect(cancelled()).toEqual([first])
    view.unmount()
    expect(cancelled()).toEqual([first, second])
  })
})
