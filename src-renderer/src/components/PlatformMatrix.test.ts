import { fireEvent, render, screen } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { details } from '../test/fake-berth'
import PlatformMatrix from './PlatformMatrix.svelte'

describe('PlatformMatrix', () => {
  it('lays platforms out by OS (with Windows version) and architecture, marking the best match and attestations apart', async () => {
    const onopen = vi.fn()
    const m = details('demo:1').matrix
    render(PlatformMatrix, { props: { matrix: m, onopen } })
    const table = screen.getByRole('table', { name: 'Platform matrix' })
    expect(table.querySelectorAll('button.cell')).toHaveLength(3)
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'linux',
      'windows 10.0.20348.1',
    ])
    const best = screen.getByRole('button', { name: /linux\/amd64: present, best match/ })
    expect(best).toHaveClass('best')
    expect(screen.getByRole('button', { name: /linux\/arm64: partial/ })).toHaveClass('partial')
    expect(screen.getByRole('button', { name: /windows.*: missing/ })).toHaveClass('missing')
    expect(screen.getByRole('list', { name: 'Attestations' })).toHaveTextContent('for linux/amd64')
    await fireEvent.click(best)
    expect(onopen).toHaveBeenCalledWith(m.cells[0].manifestDigest)
  })
})

describe('PlatformMatrix compare', () => {
  it('compares the files of two picked platforms', async () => {
    const oncompare = vi.fn()
    const m = details('demo:1').matrix
    render(PlatformMatrix, { props: { matrix: m, onopen: vi.fn(), oncompare } })
    expect(screen.queryByRole('button', { name: /Compare files/ })).toBeNull()
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Pick linux/arm64 to compare' }))
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Pick linux/amd64 to compare' }))
    // A missing platform has nothing to compare.
    expect(screen.queryByRole('checkbox', { name: /Pick windows/ })).toBeNull()
    await fireEvent.click(screen.getByRole('button', { name: 'Compare files: linux/arm64 ↔ linux/amd64' }))
    expect(oncompare).toHaveBeenCalledWith(m.cells[1].manifestDigest, m.cells[0].manifestDigest)
  })
})
