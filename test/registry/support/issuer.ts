// A small token service for docker-registry's `auth.token`: checks Basic credentials, grants what its
// policy allows for the requested scopes, and signs an ES256 JWT whose x5c chain is the self-signed
// certificate the registry trusts through `rootcertbundle`.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, importPKCS8 } from 'jose'
import type { SigningFiles } from './certs'

export interface Access {
  type: string
  name: string
  actions: string[]
}

/** Decides what a user (undefined: anonymous) gets for what it asked. */
export type Policy = (user: string | undefined, requested: Access[]) => Access[]

export const grantAll: Policy = (user, requested) => (user ? requested : [])

export interface TokenRequest {
  user?: string
  scopes: string[]
  service?: string
  /** GET with Basic credentials, or POST exchanging an OAuth2 refresh (identity) token. */
  method: string
}

/** The identity token each user may exchange (as `docker login` stores for some registries). */
export const refreshTokenOf = (user: string): string => `refresh-${user}`

export interface Issuer {
  realm: string
  service: string
  issuer: string
  requests: TokenRequest[]
  policy: Policy
  stop(): Promise<void>
}

export function parseScope(s: string): Access | undefined {
  const first = s.indexOf(':')
  const last = s.lastIndexOf(':')
  if (first < 0 || last === first) return undefined
  return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',') }
}

export async function startIssuer(o: {
  signing: SigningFiles
  users: Record<string, string>
  policy?: Policy
  lifetime?: number
}): Promise<Issuer> {
  const key = await importPKCS8(o.signing.keyPem, 'ES256')
  const service = 'berth-test-registry'
  const issuerName = 'berth-test-issuer'
  const state: Issuer = {
    realm: '',
    service,
    issuer: issuerName,
    requests: [],
    policy: o.policy ?? grantAll,
    stop: async () => {},
  }
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname !== '/token') {
        res.writeHead(404).end()
        return
      }
      const method = req.method ?? 'GET'
      let user: string | undefined
      const auth = req.headers.authorization
      if (method === 'POST') {
        let text = ''
        for await (const c of req) text += (c as Buffer).toString('utf8')
        const form = new URLSearchParams(text)
        const name = Object.keys(o.users).find((u) => refreshTokenOf(u) === form.get('refresh_token'))
        if (form.get('grant_type') !== 'refresh_token' || !name) {
          state.requests.push({ scopes: [], method })
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_grant"}')
          return
        }
        user = name
        for (const s of (form.get('scope') ?? '').split(' ')) if (s) url.searchParams.append('scope', s)
        if (form.get('service')) url.searchParams.set('service', form.get('service')!)
      } else if (auth?.startsWith('Basic ')) {
        const plain = Buffer.from(auth.slice(6), 'base64').toString('utf8')
        const i = plain.indexOf(':')
        const name = plain.slice(0, i)
        if (o.users[name] === undefined || o.users[name] !== plain.slice(i + 1)) {
          state.requests.push({
            user: name,
            scopes: url.searchParams.getAll('scope'),
            service: url.searchParams.get('service') ?? undefined,
            method,
          })
          res.writeHead(401, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
          return
        }
        user = name
      }
      const scopes = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter((s) => s !== '')
      state.requests.push({ user, scopes, service: url.searchParams.get('service') ?? undefined, method })
      const requested = scopes.map(parseScope).filter((a): a is Access => a !== undefined)
      const access = state.policy(user, requested)
      const now = Math.floor(Date.now() / 1000)
      const lifetime = o.lifetime ?? 300
      const token = await new SignJWT({ access })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [o.signing.certDer] })
        .setIssuer(issuerName)
        .setSubject(user ?? '')
        .setAudience(service)
        .setIssuedAt(now)
        .setNotBefore(now - 10)
        .setExpirationTime(now + lifetime)
        .setJti(randomBytes(8).toString('hex'))
        .sign(key)
      res.writeHead(200, { 'Content-Type': 'application/json' })
      // OAuth2 answers carry access_token; the Docker token protocol carries token.
      const field = method === 'POST' ? 'access_token' : 'token'
      res.end(
        JSON.stringify({
          [field]: token,
          expires_in: lifetime,
          issued_at: new Date(now * 1000).toISOString(),
        }),
      )
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  state.realm = `http://127.0.0.1:${port}/token`
  state.stop = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return state
}
