import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SourceInfo } from '../../../src-preload/api'
import { app } from '../lib/state.svelte'
import { FakeError, installFakeBerth } from '../test/fake-berth'
import SourceSwitcher from './SourceSwitcher.svelte'

beforeEach(() => app.reset())

const BERTH: SourceInfo = { id: 'berth', kind: 'berth', name: 'Berth', active: true }
const K8S: SourceInfo = {
  id: 'containerd-1',
  kind: 'containerd',
  name: 'containerd · k8s.io',
  address: '/run/containerd/containerd.sock',
  namespace: 'k8s.io',
  active: false,
}

describe('SourceSwitcher', () => {
  it('switches to a daemon: its namespace, its namespace list, and every view reloads', async () => {
    let active = 'berth'
    const fake = installFakeBerth({
      'sources.list': () => [BERTH, K8S].map((s) => ({ ...s, active: s.id === active })),
      'sources.switch': ({ id }) => {
        active = id
        return { ...K8S, active: true }
      },
      'namespaces.list': () => [{ name: 'k8s.io', images: 12, blobs: 40 }],
    })
    const { component } = render(SourceSwitcher)
    await component.loadSources()
    const rev = app.revision
    await fireEvent.click(await screen.findByRole('button', { name: 'containerd · k8s.io' }))
    await waitFor(() => expect(app.namespace).toBe('k8s.io'))
    expect(app.onDaemon).toBe(true)
    expect(app.namespaces.map((n) => n.name)).toEqual(['k8s.io'])
    expect(app.revision).toBeGreaterThan(rev)
    expect(screen.getByRole('button', { name: 'containerd · k8s.io' })).toHaveAttribute(
      'aria-current',
      'true',
    )
    expect(fake.calls.map((c) => c.channel)).toContain('sources.switch')
  })

  it('a daemon that does not answer: says why, and the current source stays', async () => {
    installFakeBerth({
      'sources.list': () => [BERTH, K8S],
      'sources.switch': () => {
        throw new FakeError('unavailable', 'containerd is not running at /run/containerd/containerd.sock')
      },
    })
    const { component } = render(SourceSwitcher)
    await component.loadSources()
    await fireEvent.click(await screen.findByRole('button', { name: 'containerd · k8s.io' }))
    await waitFor(() => expect(app.toasts.map((t) => t.text)).toEqual([expect.stringMatching(/not running/)]))
    expect(app.source?.id).toBe('berth')
    expect(app.namespace).toBe('default')
  })

  it('adds a daemon: connect shows its namespaces, Add remembers it and switches to it', async () => {
    const added: SourceInfo = { ...K8S, namespace: 'default', name: 'my daemon' }
    let list = [BERTH]
    const fake = installFakeBerth({
      'sources.list': () => list,
      'sources.daemon': ({ address }) => ({
        address,
        version: '1.7.0',
        namespaces: [
          { name: 'default', images: 3, blobs: 9 },
          { name: 'k8s.io', images: 0, blobs: 0 },
        ],
      }),
      'sources.add': (req) => {
        list = [BERTH, { ...added, name: req.name ?? '' }]
        return { ...added, name: req.name ?? '' }
      },
      'sources.switch': () => ({ ...added, active: true }),
      'namespaces.list': () => [{ name: 'default', images: 3, blobs: 9 }],
    })
    const { component } = render(SourceSwitcher)
    await component.loadSources()
    await fireEvent.click(screen.getByRole('button', { name: 'Add containerd…' }))
    await fireEvent.input(screen.getByLabelText('containerd socket'), { target: { value: '/tmp/c.sock' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }))
    expect(await screen.findByRole('status')).toHaveTextContent('containerd 1.7.0 at /tmp/c.sock')
    await fireEvent.input(screen.getByLabelText('Source name'), { target: { value: 'my daemon' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'sources.switch')).toBe(true))
    expect(fake.calls.find((c) => c.channel === 'sources.add')?.args[0]).toEqual({
      address: '/tmp/c.sock',
      namespace: 'default',
      name: 'my daemon',
    })
  })

  it('a socket with nothing behind it: the dialog says so by name and adds nothing', async () => {
    const fake = installFakeBerth({
      'sources.list': () => [BERTH],
      'sources.daemon': ({ address }) => {
        throw new FakeError('unavailable', `containerd is not running at ${address} (no socket there)`)
      },
    })
    const { component } = render(SourceSwitcher)
    await component.loadSources()
    await fireEvent.click(screen.getByRole('button', { name: 'Add containerd…' }))
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'containerd is not running at /run/containerd/containerd.sock',
    )
    expect(fake.calls.some((c) => c.channel === 'sources.add')).toBe(false)
  })
})
