import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { RemoteImageInfo } from '../../../src-preload/api'
import { app } from '../lib/state.svelte'
import { FakeError, installFakeBerth } from '../test/fake-berth'
import PullDialog from './PullDialog.svelte'

const remote: RemoteImageInfo = {
  name: 'registry.example/app:1',
  digest: 'sha256:' + 'c'.repeat(64),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  size: 700,
  kind: 'index',
  platforms: [
    { platform: 'linux/amd64', os: 'linux', architecture: 'amd64', runnable: true, best: true },
    { platform: 'linux/arm64', os: 'linux', architecture: 'arm64', runnable: false, best: false },
  ],
}

beforeEach(() => app.reset())

describe('PullDialog', () => {
  it('shows a reference that does not parse inline, from the core rules', async () => {
    installFakeBerth({
      'registry.inspect': () => {
        throw new FakeError(
          'invalid-argument',
          'invalid reference "Bad Ref": repository name must be lowercase',
        )
      },
    })
    render(PullDialog, { onclose: () => {} })
    await fireEvent.input(screen.getByLabelText('Image reference'), { target: { value: 'Bad Ref' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Check' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('must be lowercase')
    expect(screen.getByLabelText('Image reference')).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByRole('button', { name: 'Pull' })).toBeDisabled()
  })

  it('lists the remote platforms with the best match chosen, then pulls the choice as a job', async () => {
    const onclose = vi.fn()
    const fake = installFakeBerth({
      'registry.inspect': () => remote,
      'images.pull': () => ({ id: 'job-1', kind: 'pull' }),
    })
    render(PullDialog, { onclose })
    await fireEvent.input(screen.getByLabelText('Image reference'), {
      target: { value: 'registry.example/app:1' },
    })
    await fireEvent.keyDown(screen.getByLabelText('Image reference'), { key: 'Enter' })
    const amd = await screen.findByRole('checkbox', { name: /linux\/amd64/ })
    expect(amd).toBeChecked()
    expect(screen.getByRole('checkbox', { name: /linux\/arm64/ })).not.toBeChecked()
    await fireEvent.click(screen.getByRole('checkbox', { name: /linux\/arm64/ }))
    await fireEvent.click(screen.getByRole('button', { name: 'Pull' }))
    await waitFor(() => expect(onclose).toHaveBeenCalled())
    const pull = fake.calls.find((c) => c.channel === 'images.pull')
    expect(pull?.args[0]).toEqual({
      namespace: 'default',
      ref: 'registry.example/app:1',
      platforms: ['linux/amd64', 'linux/arm64'],
      insecure: false,
    })
    expect(app.jobs).toMatchObject([{ id: 'job-1', kind: 'pull', label: 'Pull registry.example/app:1' }])
  })

  it('pulls every platform when "All platforms" is ticked, over plain HTTP when allowed', async () => {
    const fake = installFakeBerth({
      'registry.inspect': () => remote,
      'images.pull': () => ({ id: 'job-2', kind: 'pull' }),
    })
    render(PullDialog, { onclose: () => {} })
    await fireEvent.input(screen.getByLabelText('Image reference'), {
      target: { value: 'localhost:5000/app' },
    })
    await fireEvent.click(screen.getByRole('checkbox', { name: /plain HTTP/ }))
    await fireEvent.click(screen.getByRole('button', { name: 'Check' }))
    await fireEvent.click(await screen.findByRole('checkbox', { name: 'All platforms' }))
    await fireEvent.click(screen.getByRole('button', { name: 'Pull' }))
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'images.pull')).toBe(true))
    expect(fake.calls.find((c) => c.channel === 'registry.inspect')?.args[0]).toEqual({
      ref: 'localhost:5000/app',
      insecure: true,
    })
    expect(fake.calls.find((c) => c.channel === 'images.pull')?.args[0]).toMatchObject({ platforms: 'all' })
  })

  it('shows a registry failure (unauthorized) as an error, not as a reference problem', async () => {
    installFakeBerth({
      'registry.inspect': () => {
        throw new FakeError(
          'failed-precondition',
          'resolving registry.example/app:1: authentication required',
        )
      },
    })
    render(PullDialog, { onclose: () => {} })
    await fireEvent.input(screen.getByLabelText('Image reference'), {
      target: { value: 'registry.example/app:1' },
    })
    await fireEvent.click(screen.getByRole('button', { name: 'Check' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('authentication required')
    expect(screen.getByLabelText('Image reference')).toHaveAttribute('aria-invalid', 'false')
  })

  it('drops a Check answer for a reference the user has since edited', async () => {
    installFakeBerth({
      'registry.inspect': () => new Promise((r) => setTimeout(() => r(remote), 200)),
    })
    render(PullDialog, { onclose: () => {} })
    const field = screen.getByLabelText('Image reference')
    await fireEvent.input(field, { target: { value: 'registry.example/app:1' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Check' }))
    await fireEvent.input(field, { target: { value: 'registry.example/other:2' } })
    await new Promise((r) => setTimeout(r, 300))
    expect(screen.queryByRole('checkbox', { name: /linux\/amd64/ })).toBeNull()
    expect(screen.getByRole('button', { name: 'Pull' })).toBeDisabled()
  })
})
