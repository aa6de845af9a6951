import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SourceInfo } from '../../src-preload/api'
import { app } from './lib/state.svelte'
import { FakeError, installFakeBerth, summary } from './test/fake-berth'
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

describe('store host restarts', () => {
  it('says "Store restarting…" while the host is away, and reloads the list when it is back', async () => {
    let up = true
    let names = ['a:1']
    const fake = installFakeBerth({
      'namespaces.list': () => [{ name: 'default', images: names.length, blobs: 1 }],
      'images.list': () => {
        if (!up) throw new FakeError('unavailable', 'the store host stopped (exit code 1); it is restarting')
        return { items: names.map((n) => summary(n)), total: names.length, namespaceTotal: names.length }
      },
    })
    const { container } = render(App)
    await waitFor(() => expect(container.querySelector('[data-name="a:1"]')).not.toBeNull())
    expect(screen.queryByTestId('host-status')).toBeNull()

    up = false
    fake.emit('host.state', { state: 'restarting', message: 'the store host stopped (exit code 1)', at: '' })
    const status = await screen
      .findByRole('status', { name: '' })
      .catch(() => screen.getByTestId('host-status'))
    expect(screen.getByTestId('host-status')).toHaveTextContent(/Store restarting…/)
    expect(screen.getByTestId('host-status')).toHaveTextContent(/exit code 1/)
    void status

    const listsBefore = fake.calls.filter((c) => c.channel === 'images.list').length
    up = true
    names = ['a:1', 'b:2']
    fake.emit('host.state', { state: 'ready', at: '' })
    await waitFor(() => expect(container.querySelector('[data-name="b:2"]')).not.toBeNull())
    expect(fake.calls.filter((c) => c.channel === 'images.list').length).toBeGreaterThan(listsBefore)
    expect(screen.queryByTestId('host-status')).toBeNull()
  })

  // A restarted host starts on Berth's store: the window must not go on showing the daemon as active
  // (its label edits would land in Berth's store), so it switches back, or says why it could not.
  const BERTH: SourceInfo = { id: 'berth', kind: 'berth', name: 'Berth', active: true }
  const K8S: SourceInfo = {
    id: 'containerd-1',
    kind: 'containerd',
    name: 'containerd · k8s.io',
    address: '/run/containerd/containerd.sock',
    namespace: 'k8s.io',
    active: false,
  }
  function daemonHost(answers: () => boolean) {
    const host = { active: 'berth' }
    const fake = installFakeBerth({
      'sources.list': () => [BERTH, K8S].map((s) => ({ ...s, active: s.id === host.active })),
      'sources.switch': ({ id }) => {
        if (id !== 'berth' && !answers())
          throw new FakeError('unavailable', 'containerd is not running at /run/containerd/containerd.sock')
        host.active = id
        return { ...(id === 'berth' ? BERTH : K8S), active: true }
      },
      'namespaces.list': () =>
        host.active === 'berth'
          ? [{ name: 'default', images: 1, blobs: 1 }]
          : [{ name: 'k8s.io', images: 1, blobs: 1 }],
      'images.list': (req) => {
        const names = host.active === 'berth' ? ['mine:1'] : ['pause:3']
        if (req.namespace !== (host.active === 'berth' ? 'default' : 'k8s.io'))
          return { items: [], total: 0, namespaceTotal: 0 }
        return { items: names.map((n) => summary(n)), total: 1, namespaceTotal: 1 }
      },
    })
    return { fake, host }
  }
  const daemonButton = () => screen.getByRole('button', { name: 'containerd · k8s.io' })

  async function onDaemonThenRestart(answers: () => boolean) {
    const { fake, host } = daemonHost(answers)
    const { container } = render(App)
    await fireEvent.click(await screen.findByRole('button', { name: 'containerd · k8s.io' }))
    await waitFor(() => expect(container.querySelector('[data-name="pause:3"]')).not.toBeNull())
    fake.emit('host.state', { state: 'restarting', message: 'the store host stopped (exit code 1)', at: '' })
    host.active = 'berth'
    fake.emit('host.state', { state: 'ready', at: '' })
    return { fake, host, container }
  }

  it('goes back to the containerd source it showed once a restarted host is ready', async () => {
    const { fake, host, container } = await onDaemonThenRestart(() => true)
    await waitFor(() => expect(host.active).toBe('containerd-1'))
    await waitFor(() => expect(daemonButton()).toHaveAttribute('aria-current', 'true'))
    expect(app.namespace).toBe('k8s.io')
    await waitFor(() => expect(container.querySelector('[data-name="pause:3"]')).not.toBeNull())
    expect(fake.calls.filter((c) => c.channel === 'sources.switch')).toHaveLength(2)
  })

  it('a daemon that no longer answers after the restart: Berth’s store on screen, and why', async () => {
    let up = true
    const { container } = await onDaemonThenRestart(() => up)
    up = false
    await waitFor(() => expect(app.toasts.map((t) => t.text)).toEqual([expect.stringMatching(/not running/)]))
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Berth' })).toHaveAttribute('aria-current', 'true'),
    )
    expect(daemonButton()).not.toHaveAttribute('aria-current')
    expect(app.namespace).toBe('default')
    await waitFor(() => expect(container.querySelector('[data-name="mine:1"]')).not.toBeNull())
  })

  it('says so as an alert when the host could not be restarted', async () => {
    const fake = installFakeBerth({
      'namespaces.list': () => [{ name: 'default', images: 0, blobs: 0 }],
      'images.list': () => ({ items: [], total: 0, namespaceTotal: 0 }),
    })
    render(App)
    fake.emit('host.state', { state: 'failed', message: 'the store host stopped 5 times in a row', at: '' })
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent(/could not be restarted/)
    expect(alert).toHaveTextContent(/5 times in a row/)
  })
})
