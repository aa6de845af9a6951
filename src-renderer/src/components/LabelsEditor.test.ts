import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from '../lib/state.svelte'
import { details, FakeError, installFakeBerth, summary } from '../test/fake-berth'
import LabelsEditor from './LabelsEditor.svelte'

beforeEach(() => app.reset())

describe('LabelsEditor', () => {
  it('marks reserved keys, shows config labels read-only apart, and counts UTF-8 bytes as you type', async () => {
    installFakeBerth({})
    render(LabelsEditor, { props: { details: details('demo:1'), onsaved: () => {} } })
    expect(screen.getByText('reserved')).toBeInTheDocument()
    expect(screen.getByText('org.opencontainers.image.title')).toBeInTheDocument()
    await fireEvent.click(screen.getByRole('button', { name: '+ Add label' }))
    const keys = screen.getAllByLabelText('Label key')
    await fireEvent.input(keys[keys.length - 1], { target: { value: 'k' } })
    // 2048 × "é" is 4096 bytes: with the 1-byte key, one over the limit.
    await fireEvent.input(screen.getByLabelText('Value of k'), { target: { value: 'é'.repeat(2048) } })
    expect(screen.getByText(/exceed 4096 bytes/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled()
    await fireEvent.input(screen.getByLabelText('Value of k'), { target: { value: 'é'.repeat(2047) } })
    expect(screen.queryByText(/exceed 4096 bytes/)).toBeNull()
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled()
  })

  it('says where the labels are stored: Berth’s database, or the daemon’s image record', async () => {
    installFakeBerth({})
    const { unmount } = render(LabelsEditor, { props: { details: details('demo:1'), onsaved: () => {} } })
    expect(screen.getByText(/Stored on the image record in Berth's database/)).toBeInTheDocument()
    unmount()
    app.sources = [
      { id: 'berth', kind: 'berth', name: 'Berth', active: false },
      {
        id: 'containerd-1',
        kind: 'containerd',
        name: 'containerd · k8s.io',
        address: '/run/k3s/containerd/containerd.sock',
        namespace: 'k8s.io',
        active: true,
      },
    ]
    render(LabelsEditor, { props: { details: details('demo:1'), onsaved: () => {} } })
    expect(screen.queryByText(/Berth's database/)).toBeNull()
    expect(
      screen.getByText(
        /Stored on the image record in containerd at \/run\/k3s\/containerd\/containerd\.sock/,
      ),
    ).toBeInTheDocument()
  })

  it('saves per-key changes against the updatedAt it started from', async () => {
    const d = details('demo:1')
    const fake = installFakeBerth({
      'images.setLabels': (req) =>
        summary('demo:1', {
          labels: { 'containerd.io/gc.root': 'x', team: 'core' },
          updatedAt: '2026-02-01T00:00:00.000Z',
          ...{ name: req.name },
        }),
    })
    render(LabelsEditor, { props: { details: d, onsaved: () => {} } })
    await fireEvent.click(screen.getByRole('button', { name: 'Remove env' }))
    await fireEvent.click(screen.getByRole('button', { name: '+ Add label' }))
    const keys = screen.getAllByLabelText('Label key')
    await fireEvent.input(keys[keys.length - 1], { target: { value: 'team' } })
    await fireEvent.input(screen.getByLabelText('Value of team'), { target: { value: 'core' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'images.setLabels')).toBe(true))
    const call = fake.calls.find((c) => c.channel === 'images.setLabels')!
    expect(call.args[0]).toEqual({
      namespace: 'default',
      name: 'demo:1',
      changes: { env: null, team: 'core' },
      expectedUpdatedAt: d.summary.updatedAt,
    })
  })

  it('explains a conflict and offers to reload', async () => {
    installFakeBerth({
      'images.setLabels': () => {
        throw new FakeError(
          'conflict',
          'image "demo:1" was changed elsewhere; your changes to "env" were not saved',
        )
      },
    })
    render(LabelsEditor, { props: { details: details('demo:1'), onsaved: () => {} } })
    await fireEvent.input(screen.getByLabelText('Value of env'), { target: { value: 'dev' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Not saved — the image changed while you were editing')
    expect(alert).toHaveTextContent('"env"')
    expect(screen.getByRole('button', { name: /Reload labels/ })).toBeInTheDocument()
  })
})
