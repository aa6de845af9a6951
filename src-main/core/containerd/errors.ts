// gRPC status → Berth's error kinds, as containerd's errgrpc maps its errdefs classes onto codes; and a
// daemon that cannot be reached (no socket, nobody listening, socket permissions, a daemon stopping
// mid-call) becomes one `unavailable` that names the address and says what to do.
import { status as Code, type ServiceError } from '@grpc/grpc-js'
import { BerthError, type ErrorKind } from '../errors'

const KIND: Partial<Record<number, ErrorKind>> = {
  [Code.NOT_FOUND]: 'not-found',
  [Code.ALREADY_EXISTS]: 'already-exists',
  [Code.INVALID_ARGUMENT]: 'invalid-argument',
  [Code.OUT_OF_RANGE]: 'invalid-argument',
  [Code.FAILED_PRECONDITION]: 'failed-precondition',
  [Code.ABORTED]: 'failed-precondition',
  [Code.PERMISSION_DENIED]: 'failed-precondition',
  [Code.UNAUTHENTICATED]: 'failed-precondition',
  [Code.UNAVAILABLE]: 'unavailable',
  [Code.DEADLINE_EXCEEDED]: 'unavailable',
  [Code.RESOURCE_EXHAUSTED]: 'unavailable',
  [Code.UNIMPLEMENTED]: 'not-implemented',
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number' && 'details' in e
}

/** Why the socket could not be used, in words a user can act on; null when the call did reach containerd. */
function connectionProblem(details: string, address: string): string | null {
  if (/ENOENT/.test(details))
    return `containerd is not running at ${address} (no socket there): start containerd, or give its socket with --address`
  if (/ECONNREFUSED/.test(details))
    return `containerd at ${address} refused the connection (the socket exists but nothing listens): is containerd running?`
  if (/EACCES|EPERM/.test(details))
    return `permission denied on containerd's socket ${address}: run as a user who may open it (often root), or change its group`
  if (/ENOTSOCK|ECONNRESET|EPIPE/.test(details))
    return `${address} does not answer as containerd's socket (${details.replace(/^.*?(E[A-Z]+).*$/s, '$1')})`
  if (/No connection established|Connection dropped|RST_STREAM|closed|GOAWAY|Socket/i.test(details))
    return `lost the connection to containerd at ${address}: it stopped or restarted; try again once it runs`
  return null
}

/**
 * One Berth error for a failed call. `what` says what Berth was doing ("listing images"); containerd's
 * own message follows it, as its client wraps errors.
 */
export function fromGrpc(e: unknown, address: string, what: string): Error {
  if (e instanceof BerthError) return e
  if (!isServiceError(e)) {
    const msg = e instanceof Error ? e.message : String(e)
    return new BerthError('unavailable', `containerd at ${address}: ${what}: ${msg}`, { cause: e })
  }
  if (e.code === Code.CANCELLED) {
    const c = new Error(`${what}: cancelled`, { cause: e })
    c.name = 'AbortError'
    return c
  }
  const details = e.details || e.message
  if (e.code === Code.UNAVAILABLE || e.code === Code.INTERNAL || e.code === Code.UNKNOWN) {
    const problem = connectionProblem(details, address)
    if (problem) return new BerthError('unavailable', problem, { cause: e })
  }
  const kind = KIND[e.code] ?? 'unavailable'
  return new BerthError(kind, `containerd at ${address}: ${what}: ${details}`, { cause: e })
}
