import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from '../lib/state.svelte'
import { installFakeBerth, summary } from '../test/fake-berth'
import CopyDialog from './CopyDialog.svelte'

beforeEach(() => {
  app.reset()
  app.sources = [
    { id: 'berth', kind: 'berth', name: 'Berth', active: true },
    {
      id: 'cd',
      kind: 'containerd',
      name: 'containerd · k8s.io',
      address: '/run/containerd/containerd.sock',
      namespace: 'k8s.io',
      active: false,
    },
  ]
})

const image = summary('docker.io/library/app:1', {
  platforms: [
    { platform: 'linux/amd64', os: 'linux', architecture: 'amd64', status: 'present' },
    { platform: 'linux/arm/v7', os: 'linux', architecture: 'arm', variant: 'v7', status: 'present' },
  ],
})

describe('CopyDialog', () => {
  it('sends some platforms to the daemon’s namespace as a job', async () => {
    let closed = false
    const fake = installFakeBerth({ 'images.copy': () => ({ id: 'j1', kind: 'copy' }) })
    render(CopyDialog, { images: [image], onclose: () => (closed = true) })
    expect(screen.getByLabelText('Target namespace')).toHaveValue('k8s.io')
    await fireEvent.click(screen.getByLabelText('All platforms'))
    await fireEvent.click(screen.getByLabelText('Platform linux/arm/v7'))
    await fireEvent.click(screen.getByRole('button', { name: 'Copy' }))
    await waitFor(() => expect(closed).toBe(true))
    expect(fake.calls.find((c) => c.channel === 'images.copy')?.args[0]).toEqual({
      from: { source: 'berth', namespace: 'default' },
      to: { source: 'cd', namespace: 'k8s.io' },
      names: ['docker.io/library/app:1'],
      platforms: ['linux/arm/v7'],
    })
    expect(app.jobs).toMatchObject([
      { id: 'j1', kind: 'copy', label: 'Copy docker.io/library/app:1 to containerd · k8s.io' },
    ])
  })

  it('copies nothing until a platform is picked when not all are', async () => {
    installFakeBerth({})
    render(CopyDialog, { images: [image], onclose: () => {} })
    await fireEvent.click(screen.getByLabelText('All platforms'))
    expect(screen.getByRole('button', { name: 'Copy' })).toBeDisabled()
  })
})
