import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from './lib/state.svelte'
import { installFakeBerth, summary } from './test/fake-berth'
import App from './App.svelte'

beforeEach(() => app.reset())

describe('App shell', () => {
  it('shows the sidebar views, the namespace switcher, and reloads when the store changes', async () => {
    let names = ['a:1']
    const fake = installFakeBerth({
      'app.info': () => ({
        name: 'Berth',
        version: '0.1.0',
        electron: null,
        node: '24',
        chromium: null,
        platform: 'linux/x64',
        storePath: '/tmp/x',
        hostPlatform: 'linux/amd64',
      }),
      'namespaces.list': () => [
        { name: 'default', images: names.length, blobs: 3 },
        { name: 'other', images: 0, blobs: 0 },
      ],
      'images.list': () => ({
        items: names.map((n) => summary(n)),
        total: names.length,
        namespaceTotal: names.length,
      }),
      'content.list': () => ({ items: [], total: 0, totalBytes: 0 }),
    })
    const { container } = render(App)
    expect(screen.getByRole('navigation', { name: 'Views' })).toHaveTextContent('Images')
    expect(screen.getByRole('navigation', { name: 'Views' })).toHaveTextContent('Content')
    await waitFor(() => expect(container.querySelector('[data-name="a:1"]')).not.toBeNull())
    names = ['a:1', 'b:2']
    fake.emit('store.changed', { source: 'external', at: new Date().toISOString() })
    await waitFor(() => expect(container.querySelector('[data-name="b:2"]')).not.toBeNull())
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Namespace' }).querySelectorAll('option')).toHaveLength(2),
    )
    await fireEvent.click(screen.getByRole('button', { name: /^Content/ }))
    expect(await screen.findByRole('heading', { name: 'Content' })).toBeInTheDocument()
  })
})
