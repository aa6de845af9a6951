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

  it('says which selector can never match and why, without marking the filter invalid', () => {
    render(FilterBar, {
      props: {
        filter: 'name~=(',
        warnings: [
          {
            expression: 'name~=(',
            message: 'name~=( matches nothing: error parsing regexp: missing closing ): `(`',
          },
        ],
      },
    })
    const status = screen.getByRole('status', { name: 'Filter warnings' })
    expect(status).toHaveTextContent('name~=( matches nothing: error parsing regexp: missing closing ): `(`')
    expect(screen.queryByRole('alert')).toBeNull()
    const input = screen.getByLabelText('Filter (containerd syntax)')
    expect(input).toHaveAttribute('aria-invalid', 'false')
    expect(input).toHaveAttribute('aria-describedby', 'filter-warnings')
  })

  it('shows a parse error rather than warnings when both are given', () => {
    render(FilterBar, {
      props: {
        filter: 'name~=(,',
        error: { message: 'filters: parse error: [name~=(, >|,|< ]: expected field or quoted', position: 8 },
        warnings: [{ expression: 'name~=(', message: 'name~=( matches nothing: x' }],
      },
    })
    expect(screen.getByRole('alert')).toBeInTheDocument()
    expect(screen.queryByRole('status', { name: 'Filter warnings' })).toBeNull()
  })
})
