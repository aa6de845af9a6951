// Error classes as containerd's errdefs has them. Callers test the kind, never the message.
export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'invalid-argument'
  | 'failed-precondition'
  | 'unavailable'
  | 'not-implemented'

export const ERROR_KINDS: readonly ErrorKind[] = [
  'not-found',
  'already-exists',
  'invalid-argument',
  'failed-precondition',
  'unavailable',
  'not-implemented',
]

export class BerthError extends Error {
  readonly kind: ErrorKind

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BerthError'
    this.kind = kind
  }
}

export function isKind(e: unknown, kind: ErrorKind): boolean {
  return e instanceof BerthError && e.kind === kind
}

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError
}

export const notFound = (message: string, cause?: unknown): BerthError =>
  new BerthError('not-found', message, { cause })
export const alreadyExists = (message: string, cause?: unknown): BerthError =>
  new BerthError('already-exists', message, { cause })
export const invalidArgument = (message: string, cause?: unknown): BerthError =>
  new BerthError('invalid-argument', message, { cause })
export const failedPrecondition = (message: string, cause?: unknown): BerthError =>
  new BerthError('failed-precondition', message, { cause })
export const unavailable = (message: string, cause?: unknown): BerthError =>
  new BerthError('unavailable', message, { cause })
export const notImplemented = (message: string, cause?: unknown): BerthError =>
  new BerthError('not-implemented', message, { cause })

/** Keeps the kind of a BerthError while prefixing its message with context, as Go's %w wrapping does. */
export function wrap(e: unknown, prefix: string): BerthError {
  if (e instanceof BerthError) return new BerthError(e.kind, `${prefix}: ${e.message}`, { cause: e })
  const msg = e instanceof Error ? e.message : String(e)
  return new BerthError('unavailable', `${prefix}: ${msg}`, { cause: e })
}
