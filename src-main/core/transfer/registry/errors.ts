// What a registry's refusal means. The Distribution API answers failures with a JSON body
// `{"errors":[{"code","message","detail"}]}`; each code is turned into the errdefs class containerd
// would report, and into a message a person can act on. Secrets never appear here: only the host,
// the repository and the registry's own words.
import { BerthError, type ErrorKind } from '../../errors'

/** Why a registry refused, as a word a UI can switch on (the kind alone cannot tell 401 from 403). */
export type RegistryReason =
  | 'unauthorized'
  | 'denied'
  | 'manifest-unknown'
  | 'name-unknown'
  | 'blob-unknown'
  | 'rate-limited'
  | 'invalid'
  | 'unsupported'
  | 'server-error'
  | 'unexpected'

export class RegistryError extends BerthError {
  readonly reason: RegistryReason
  readonly status: number
  /** The registry's error codes, e.g. ["MANIFEST_UNKNOWN"]. */
  readonly codes: string[]

  constructor(kind: ErrorKind, reason: RegistryReason, status: number, codes: string[], message: string) {
    super(kind, message)
    this.name = 'RegistryError'
    this.reason = reason
    this.status = status
    this.codes = codes
  }
}

export function isRegistryError(e: unknown, reason?: RegistryReason): e is RegistryError {
  return e instanceof RegistryError && (reason === undefined || e.reason === reason)
}

interface ErrorEntry {
  code?: string
  message?: string
}

const BY_CODE: Record<string, { kind: ErrorKind; reason: RegistryReason; say: string }> = {
  UNAUTHORIZED: {
    kind: 'failed-precondition',
    reason: 'unauthorized',
    say: 'authentication required: log in first',
  },
  DENIED: {
    kind: 'failed-precondition',
    reason: 'denied',
    say: 'access denied: your credentials do not allow this',
  },
  MANIFEST_UNKNOWN: { kind: 'not-found', reason: 'manifest-unknown', say: 'manifest unknown' },
  NAME_UNKNOWN: {
    kind: 'not-found',
    reason: 'name-unknown',
    say: 'repository name not known to the registry',
  },
  BLOB_UNKNOWN: { kind: 'not-found', reason: 'blob-unknown', say: 'blob unknown to the registry' },
  BLOB_UPLOAD_UNKNOWN: { kind: 'not-found', reason: 'blob-unknown', say: 'blob upload unknown' },
  TOOMANYREQUESTS: {
    kind: 'unavailable',
    reason: 'rate-limited',
    say: 'rate limited: too many requests, try later',
  },
  UNSUPPORTED: { kind: 'not-implemented', reason: 'unsupported', say: 'the operation is unsupported' },
  MANIFEST_INVALID: { kind: 'invalid-argument', reason: 'invalid', say: 'manifest invalid' },
  MANIFEST_BLOB_UNKNOWN: {
    kind: 'failed-precondition',
    reason: 'invalid',
    say: 'manifest references a blob the registry does not have',
  },
  MANIFEST_UNVERIFIED: {
    kind: 'invalid-argument',
    reason: 'invalid',
    say: 'manifest failed signature verification',
  },
  DIGEST_INVALID: {
    kind: 'invalid-argument',
    reason: 'invalid',
    say: 'provided digest did not match uploaded content',
  },
  SIZE_INVALID: {
    kind: 'invalid-argument',
    reason: 'invalid',
    say: 'provided length did not match content length',
  },
  NAME_INVALID: { kind: 'invalid-argument', reason: 'invalid', say: 'invalid repository name' },
  TAG_INVALID: { kind: 'invalid-argument', reason: 'invalid', say: 'manifest tag did not match URI' },
  BLOB_UPLOAD_INVALID: { kind: 'invalid-argument', reason: 'invalid', say: 'blob upload invalid' },
  RANGE_INVALID: { kind: 'invalid-argument', reason: 'invalid', say: 'invalid content range' },
  PAGINATION_NUMBER_INVALID: {
    kind: 'invalid-argument',
    reason: 'invalid',
    say: 'invalid number of results requested',
  },
}

function byStatus(status: number): { kind: ErrorKind; reason: RegistryReason; say: string } {
  if (status === 401) return BY_CODE.UNAUTHORIZED
  if (status === 403) return BY_CODE.DENIED
  if (status === 404) return { kind: 'not-found', reason: 'unexpected', say: 'not found' }
  if (status === 429) return BY_CODE.TOOMANYREQUESTS
  if (status === 405) return BY_CODE.UNSUPPORTED
  if (status >= 500)
    return { kind: 'unavailable', reason: 'server-error', say: `registry failed with status ${status}` }
  return { kind: 'failed-precondition', reason: 'unexpected', say: `unexpected status ${status}` }
}

/** Registry messages are short; anything longer is probably an HTML error page and would drown the reason. */
function clean(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > 200 ? `${one.slice(0, 200)}…` : one
}

export function parseErrorBody(body: string): ErrorEntry[] {
  try {
    const j = JSON.parse(body) as { errors?: unknown }
    if (Array.isArray(j.errors)) {
      return j.errors.filter((e): e is ErrorEntry => typeof e === 'object' && e !== null)
    }
  } catch {
    // Not JSON: the status decides.
  }
  return []
}

/**
 * Builds the error for a failed response. `what` names the request in the user's terms, e.g.
 * `pulling manifest docker.io/library/nginx:latest`.
 */
export function registryError(status: number, body: string, what: string): RegistryError {
  const entries = parseErrorBody(body)
  const codes = entries.map((e) => String(e.code ?? '').toUpperCase()).filter((c) => c !== '')
  const known = codes.map((c) => BY_CODE[c]).find((x) => x !== undefined)
  const base = known ?? byStatus(status)
  const said = entries
    .map((e) => (e.message ? clean(String(e.message)) : ''))
    .filter((m) => m !== '' && m.toLowerCase() !== base.say.toLowerCase())
  const detail = said.length > 0 ? ` (registry says: ${said.join('; ')})` : ''
  return new RegistryError(base.kind, base.reason, status, codes, `${what}: ${base.say}${detail}`)
}
