import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from '../lib/state.svelte'
import { installFakeBerth } from '../test/fake-berth'
import ContentView from './ContentView.svelte'

beforeEach(() => app.reset())

describe('ContentView', () => {
  it('shows the answer to the latest filter even when an earlier one answers after it', async () => {
    const fake = installFakeBerth({
      'content.list': (req) => {
        const page = { items: [], total: req.filter === 'slow' ? 111 : 222, totalBytes: 0 }
        return req.filter === 'slow' ? new Promise((r) => setTimeout(() => r(page), 300)) : page
      },
    })
    render(ContentView)
    const filter = screen.getByLabelText('Filter (containerd syntax)')
    await fireEvent.input(filter, { target: { value: 'slow' } })
    await waitFor(() =>
      expect(fake.calls.some((c) => (c.args[0] as { filter: string }).filter === 'slow')).toBe(true),
    )
    await fireEvent.input(filter, { target: { value: 'fast' } })
    expect(await screen.findByText(/222 blobs/)).toBeInTheDocument()
    await new Promise((r) => setTimeout(r, 400))
    expect(screen.queryByText(/111 blobs/)).toBeNull()
    expect(screen.getByText(/222 blobs/)).toBeInTheDocument()
  })

  it('counts every image that reaches a blob, though it lists only the first names', async () => {
    installFakeBerth({
      'content.list': () => ({
        items: [
          {
            digest: 'sha256:' + 'a'.repeat(64),
            size: 10,
            kind: 'layer',
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
            labels: {},
            images: ['a:1', 'b:1', 'c:1', 'd:1'],
            imageCount: 100_000,
          },
        ],
        total: 1,
        totalBytes: 10,
      }),
    })
    render(ContentView)
    expect(await screen.findByText('+99997')).toBeInTheDocument()
  })
})
