import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LoginRequest, RegistryLogin } from '../../../src-preload/api'
import { app } from '../lib/state.svelte'
import { FakeError, installFakeBerth } from '../test/fake-berth'
import RegistriesView from './RegistriesView.svelte'

beforeEach(() => app.reset())

function fakeRegistry() {
  const logins: RegistryLogin[] = [{ host: 'ghcr.io', username: 'octo' }]
  const fake = installFakeBerth({
    'registry.logins.list': () => [...logins],
    'registry.login': (req: LoginRequest) => {
      if (req.secret !== 'right')
        throw new FakeError('failed-precondition', `logging in to ${req.host}: unauthorized`)
      logins.push({ host: req.host, username: req.username })
      return { host: req.host, username: req.username }
    },
    'registry.logout': ({ host }) => {
      const i = logins.findIndex((l) => l.host === host)
      if (i >= 0) logins.splice(i, 1)
      return { removed: i >= 0 }
    },
  })
  return fake
}

async function fill(host: string, user: string, secret: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText('Registry host'), { target: { value: host } })
  await fireEvent.input(screen.getByLabelText('Username'), { target: { value: user } })
  await fireEvent.input(screen.getByLabelText('Password'), { target: { value: secret } })
}

describe('RegistriesView', () => {
  it('lists logins by host and user', async () => {
    fakeRegistry()
    render(RegistriesView)
    const list = await screen.findByRole('list', { name: 'Registry logins' })
    expect(list).toHaveTextContent('ghcr.io')
    expect(list).toHaveTextContent('octo')
  })

  it('shows a refused password, clears the field, and lists the login once accepted', async () => {
    const fake = fakeRegistry()
    const { container } = render(RegistriesView)
    await screen.findByRole('list', { name: 'Registry logins' })
    await fill('localhost:5000', 'ann', 'wrong')
    await fireEvent.click(screen.getByRole('button', { name: 'Log in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('unauthorized')
    expect(screen.getByLabelText('Password')).toHaveValue('')
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'right' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Log in' }))
    await waitFor(() => expect(container.querySelector('[data-host="localhost:5000"]')).not.toBeNull())
    expect(screen.queryByRole('alert')).toBeNull()
    expect(container.innerHTML).not.toContain('right')
    const login = fake.calls.filter((c) => c.channel === 'registry.login').at(-1)
    expect(login?.args[0]).toEqual({
      host: 'localhost:5000',
      username: 'ann',
      secret: 'right',
      insecure: false,
    })
  })

  it('removes a login', async () => {
    const fake = fakeRegistry()
    const { container } = render(RegistriesView)
    await fireEvent.click(await screen.findByRole('button', { name: 'Remove login for ghcr.io' }))
    await waitFor(() => expect(container.querySelector('[data-host="ghcr.io"]')).toBeNull())
    expect(fake.calls.some((c) => c.channel === 'registry.logout')).toBe(true)
    expect(await screen.findByRole('status')).toHaveTextContent('No logins yet')
  })
})
