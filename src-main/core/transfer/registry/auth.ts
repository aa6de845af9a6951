// Answering a registry's WWW-Authenticate challenge: nothing (anonymous), Basic with the user's
// credentials, or Bearer with a token fetched from the challenge's realm for the service and scopes,
// cached per scope set until it expires. Only the registry's own challenges reach this state (the
// client keeps other origins' 401s out). A realm is HTTPS, or plain HTTP on loopback for a loopback
// registry (or a host the user marked insecure), and on no network the registry is not on itself.
// Secrets stay in headers; errors name the host only.
import { failedPrecondition, unavailable } from '../../errors'
import type { CredentialSource, Credentials } from './credentials'
import { RegistryError, registryError } from './errors'
import { isLoopback, type Response, type Transport } from './http'

export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Parses `Bearer realm="…",service="…",scope="…", Basic realm="…"` (RFC 7235, quoted strings). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '')
  const out: Challenge[] = []
  const re = /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?\s*,?/gy
  let cur: Challenge | undefined
  let m: RegExpExecArray | null
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[0] === '') break
    const [, name, value] = m
    if (value === undefined) {
      // A bare token starts a new challenge.
      cur = { scheme: name.toLowerCase(), params: {} }
      out.push(cur)
      // Same-line first parameter: "Bearer realm=…" is matched as bare "Bearer" then "realm=…".
      continue
    }
    if (!cur) continue
    const v = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value
    cur.params[name.toLowerCase()] = v
  }
  return out
}

interface Token {
  value: string
  expiresAt: number
}

interface HostState {
  challenge?: Challenge
  tokens: Map<string, Token>
  /** Token requests in flight, so that concurrent requests for one scope share a single fetch. */
  pending: Map<string, Promise<Token>>
  /** Scope keys whose freshly fetched token was refused: asking again would loop. */
  refused: Set<string>
}

export interface AuthorizerOptions {
  credentials?: CredentialSource
  /** Shortest token lifetime assumed when the issuer says nothing or less, seconds. */
  minTokenLifetime?: number
  now?: () => number
}

const MIN_LIFETIME = 60
const SLACK_MS = 5_000

export function pullScope(path: string): string {
  return `repository:${path}:pull`
}
export function pushScope(path: string): string {
  return `repository:${path}:pull,push`
}

function scopeKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ')
}

export class Authorizer {
  private readonly hosts = new Map<string, HostState>()
  private readonly creds = new Map<string, Promise<Credentials | undefined>>()
  private readonly now: () => number

  constructor(
    private readonly transport: Transport,
    private readonly opts: AuthorizerOptions = {},
  ) {
    this.now = opts.now ?? Date.now
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host)
    if (!s) {
      s = { tokens: new Map(), pending: new Map(), refused: new Set() }
      this.hosts.set(host, s)
    }
    return s
  }

  private credentials(host: string): Promise<Credentials | undefined> {
    let c = this.creds.get(host)
    if (!c) {
      c = this.opts.credentials ? this.opts.credentials(host) : Promise.resolve(undefined)
      this.creds.set(host, c)
    }
    return c
  }

  /** Whether a login (the app's, or Docker's) exists for `host`: what plain HTTP must never carry. */
  async hasCredentials(host: string): Promise<boolean> {
    return (await this.credentials(host)) !== undefined
  }

  /** The Authorization header for a request to `host` needing `scopes`, or undefined before any challenge. */
  async header(host: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const s = this.state(host)
    const ch = s.challenge
    if (!ch) return undefined
    if (ch.scheme === 'basic') {
      const c = await this.credentials(host)
      if (!c || !c.username) return undefined
      return `Basic ${Buffer.from(`${c.username}:${c.secret}`).toString('base64')}`
    }
    if (ch.scheme === 'bearer') {
      const key = scopeKey(scopes)
      const t = s.tokens.get(key)
      if (t && t.expiresAt > this.now()) return `Bearer ${t.value}`
      let p = s.pending.get(key)
      if (!p) {
        p = this.fetchToken(host, ch, scopes, signal).finally(() => s.pending.delete(key))
        s.pending.set(key, p)
      }
      const token = await p
      s.tokens.set(key, token)
      return `Bearer ${token.value}`
    }
    return undefined
  }

  /**
   * Records the challenge of a 401. True when a retry can succeed (a new scheme, or a token not yet
   * refused for these scopes); false when the same answer would come back.
   */
  async unauthorized(host: string, res: Response, scopes: string[], sentAuth: boolean): Promise<boolean> {
    const challenges = parseChallenges(res.headers['www-authenticate'])
    const pick = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic')
    if (!pick) return false
    const s = this.state(host)
    const key = scopeKey(scopes)
    const changed =
      !s.challenge || s.challenge.scheme !== pick.scheme || s.challenge.params.realm !== pick.params.realm
    s.challenge = pick
    if (changed) {
      s.tokens.clear()
      s.refused.clear()
    }
    if (pick.scheme === 'basic') return !sentAuth && (await this.credentials(host)) !== undefined
    // Sent before the challenge was known (a concurrent first request): now it will carry a token.
    if (!sentAuth || changed) return true
    // A cached token may have been revoked or expired early: fetch once more, then give up.
    if (s.refused.has(key)) return false
    s.refused.add(key)
    s.tokens.delete(key)
    return true
  }

  /** A response succeeded with these scopes: a later refusal is news again. */
  accepted(host: string, scopes: string[]): void {
    this.hosts.get(host)?.refused.delete(scopeKey(scopes))
  }

  /** Forgets cached tokens and credentials, e.g. after a login or logout. */
  reset(host?: string): void {
    if (host === undefined) {
      this.hosts.clear()
      this.creds.clear()
    } else {
      this.hosts.delete(host)
      this.creds.delete(host)
    }
  }

  private async fetchToken(
    host: string,
    ch: Challenge,
    scopes: string[],
    signal?: AbortSignal,
  ): Promise<Token> {
    const realm = ch.params.realm
    if (!realm) throw unavailable(`registry ${host} asked for a bearer token without a realm`)
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw unavailable(`registry ${host} gave an invalid token realm`)
    }
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && this.transport.mayUsePlainHttp(url.host))
    ) {
      throw failedPrecondition(
        `registry ${host} named the token service ${url.protocol}//${url.host}: token services must use HTTPS (plain HTTP only on loopback)`,
      )
    }
    const c = await this.credentials(host)
    if (c && url.protocol === 'http:' && !isLoopback(url.host)) {
      throw failedPrecondition(
        `refusing to send credentials for ${host} to a plain-HTTP token service at ${url.host}`,
      )
    }
    const service = ch.params.service
    // The challenge names a scope only for the request it answered: used when the caller has none (login).
    const all =
      scopes.length > 0 ? [...new Set(scopes)].sort() : ch.params.scope ? ch.params.scope.split(' ') : []
    let res: Response
    if (c && c.username === '') {
      // An identity token is an OAuth2 refresh token: exchanged with a POST.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.secret,
        client_id: 'berth',
      })
      if (service) form.set('service', service)
      if (all.length > 0) form.set('scope', all.join(' '))
      res = await this.transport.send({
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
        signal,
        registry: host,
      })
    } else {
      if (service) url.searchParams.set('service', service)
      for (const sc of all) url.searchParams.append('scope', sc)
      const headers: Record<string, string> = {}
      if (c) headers.Authorization = `Basic ${Buffer.from(`${c.username}:${c.secret}`).toString('base64')}`
      res = await this.transport.send({ method: 'GET', url, headers, signal, registry: host })
    }
    if (res.status !== 200) {
      const body = await res.text().catch(() => '')
      const e = registryError(res.status, body, `getting a token for ${host}`)
      if (res.status === 401 || res.status === 403) {
        const why = c
          ? 'the credentials were refused (wrong username or password?)'
          : 'anonymous access refused: log in'
        throw new RegistryError(
          e.kind,
          'unauthorized',
          res.status,
          e.codes,
          `getting a token for ${host}: ${why}`,
        )
      }
      throw e
    }
    let j: { token?: string; access_token?: string; expires_in?: number }
    try {
      j = JSON.parse(await res.text(1 << 20)) as typeof j
    } catch {
      throw unavailable(`token service for ${host} answered with something other than JSON`)
    }
    const value = j.token ?? j.access_token
    if (!value) throw unavailable(`token service for ${host} answered without a token`)
    const lifetime = Math.max(j.expires_in ?? 0, this.opts.minTokenLifetime ?? MIN_LIFETIME)
    // Counted from receipt on our clock: the issuer's issued_at may be skewed against it.
    return { value, expiresAt: this.now() + lifetime * 1000 - SLACK_MS }
  }
}
