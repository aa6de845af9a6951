import { fireEvent, render, screen } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app, MAX_TOASTS } from '../lib/state.svelte'
import Toasts from './Toasts.svelte'

beforeEach(() => app.reset())

describe('Toasts', () => {
  it('keeps the newest few when messages that wait to be dismissed pile up', async () => {
    render(Toasts)
    for (let i = 1; i <= MAX_TOASTS + 3; i++) app.toast('error', `Pull failed: ${i}`, 0)
    await Promise.resolve()
    const shown = screen.getAllByText(/^Pull failed: /).map((e) => e.textContent)
    expect(shown).toEqual(Array.from({ length: MAX_TOASTS }, (_, i) => `Pull failed: ${i + 4}`))
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Pull failed: 4' }))
    expect(screen.getAllByText(/^Pull failed: /)).toHaveLength(MAX_TOASTS - 1)
    expect(screen.queryByText('Pull failed: 4')).toBeNull()
  })
})
