import { render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import FilterBar from './FilterBar.svelte'

describe('FilterBar', () => {
  it('marks a parse error at its position and says why, without the errdefs suffix', () => {
    render(FilterBar, {
      props: {
        filter: 'name==a,,b',
        error: {
          message: 'filters: parse error: [name==a, >|,|< b]: expected field or quoted: invalid argument',
          position: 8,
        },
      },
    })
    const alert = screen.getByRole('alert')
    expect(alert).toHaveAttribute('data-position', '8')
    expect(alert.querySelector('mark')?.textContent).toBe(',')
    expect(alert).toHaveTextContent('at position 8: expected field or quoted')
    expect(alert).not.toHaveTextContent('invalid argument')
    expect(screen.getByLabelText('Filter (containerd syntax)')).toHaveAttribute('aria-invalid', 'true')
  })

  it('shows no error when the filter parses', () => {
    render(FilterBar, { props: { filter: 'name==a' } })
    expect(screen.queryByRole('alert')).toBeNull()
    expect(screen.getByLabelText('Filter (containerd syntax)')).toHaveAttribute('aria-invalid', 'false')
  })
})
