import { describe, expect, it } from 'vitest'
import { BerthError, ERROR_KINDS, isKind, wrap } from '../../src-main/core/errors'

describe('errors', () => {
  it('classifies by kind, not message', () => {
    for (const kind of ERROR_KINDS) {
      const e = new BerthError(kind, 'x')
      expect(isKind(e, kind)).toBe(true)
      expect(ERROR_KINDS.filter((k) => isKind(e, k))).toEqual([kind])
    }
    expect(isKind(new Error('not-found'), 'not-found')).toBe(false)
  })
  it('wrap keeps the kind and prefixes the message', () => {
    const e = wrap(new BerthError('not-found', 'blob sha256:ab'), 'reading config')
    expect(e.kind).toBe('not-found')
    expect(e.message).toBe('reading config: blob sha256:ab')
  })
})
