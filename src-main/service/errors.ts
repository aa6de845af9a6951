// Errors the use cases add to the core's kinds, and the one conversion to what crosses the bridge.
import { BerthError } from '../core/errors'
import { isErrorKind, type WireError } from '../../src-preload/api'

/** The record changed since the caller read it; `keys` are the changes that were not applied. */
export class ConflictError extends Error {
  readonly kind = 'conflict' as const
  constructor(
    message: string,
    readonly keys: string[],
  ) {
    super(message)
    this.name = 'ConflictError'
  }
}

export class CancelledError extends Error {
  readonly kind = 'cancelled' as const
  constructor(message = 'cancelled') {
    super(message)
    this.name = 'CancelledError'
  }
}

/** Expected failures keep their kind; anything else is 'unavailable' with its message (never a stack). */
export function toWireError(e: unknown): WireError {
  if (e instanceof BerthError || e instanceof ConflictError || e instanceof CancelledError) {
    return { kind: e.kind, message: e.message }
  }
  const kind = (e as { kind?: unknown })?.kind
  const message = e instanceof Error ? e.message : String(e)
  if (isErrorKind(kind)) return { kind, message }
  if ((e as { name?: string })?.name === 'AbortError') return { kind: 'cancelled', message }
  return { kind: 'unavailable', message }
}
