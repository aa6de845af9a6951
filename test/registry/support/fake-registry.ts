// A small Distribution API server on loopback (node:http), for the hostile cases a real registry will
// not play: upload Locations that name another origin, challenges from hosts that are not the registry,
// realms and redirects anywhere. It keeps blobs and manifests in memory, checks digests and refuses a
// manifest whose blobs it does not have, so a push through it is a real push. Every request is logged,
// with its Authorization header, for the assertions.
import { createHash, randomBytes } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isIndexType, isManifestType } from '../../../src-main/core/images/handlers'
import type { ImageFixture } from '../../fixtures/images'

export interface Logged {
  method: string
  path: string
  authorization?: string
}

export type Auth =
  | { kind: 'none' }
  | { kind: 'basic'; users: Record<string, string> }
  /** Bearer tokens from `realm`; `issued` holds the tokens the realm handed out. */
  | { kind: 'bearer'; realm: string; service: string; issued: Set<string> }

export interface Server {
  host: string
  port: number
  url: string
  log: Logged[]
  stop(): Promise<void>
}

export interface FakeRegistry extends Server {
  blobs: Map<string, Buffer>
  manifests: Map<string, { type: string; body: Buffer }>
  tags: Map<string, string>
  /** Where POST /blobs/uploads/ sends the client: default this registry; set to play a hostile one. */
  uploadOrigin?: string
  /** Serves `PUT|PATCH /upload/<id>` on any server: mount it on another origin's listener. */
  uploads: http.RequestListener
  /** Answers a request with a redirect to the URL it returns, before anything else (auth included). */
  redirect?: (method: string, path: string) => { status: number; location: string } | undefined
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

function errors(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] }))
}

/** Listens on `bind` (127.0.0.1 unless given), logging each request before `handler` answers it. */
export async function listen(handler: http.RequestListener, bind = '127.0.0.1'): Promise<Server> {
  const log: Logged[] = []
  const server = http.createServer((req, res) => {
    log.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization })
    Promise.resolve(handler(req, res)).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(e))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, bind, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = bind.includes(':') ? `[${bind}]:${port}` : `${bind}:${port}`
  return {
    host,
    port,
    url: `http://${host}`,
    log,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

let warnedSecondLoopback = false

/**
 * A second origin on loopback: 127.0.0.2 where the OS routes all of 127/8 (Linux), else another port on
 * 127.0.0.1 (macOS only configures 127.0.0.1) — a different origin either way.
 */
export async function listenElsewhere(handler: http.RequestListener): Promise<Server> {
  try {
    return await listen(handler, '127.0.0.2')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw e
    if (!warnedSecondLoopback) {
      warnedSecondLoopback = true
      console.warn('127.0.0.2 is not configured here: the second origin is another port on 127.0.0.1')
    }
    return listen(handler, '127.0.0.1')
  }
}

export async function startFakeRegistry(auth: Auth = { kind: 'none' }): Promise<FakeRegistry> {
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, { type: string; body: Buffer }>()
  const tags = new Map<string, string>()
  const sessions = new Map<string, Buffer[]>()

  const authorized = (req: IncomingMessage): boolean => {
    const a = req.headers.authorization ?? ''
    if (auth.kind === 'none') return true
    if (auth.kind === 'basic') {
      if (!a.startsWith('Basic ')) return false
      const plain = Buffer.from(a.slice(6), 'base64').toString('utf8')
      const i = plain.indexOf(':')
      return i > 0 && auth.users[plain.slice(0, i)] === plain.slice(i + 1)
    }
    return a.startsWith('Bearer ') && auth.issued.has(a.slice(7))
  }
  const challenge = (): Record<string, string> =>
    auth.kind === 'basic'
      ? { 'WWW-Authenticate': 'Basic realm="fake"' }
      : auth.kind === 'bearer'
        ? { 'WWW-Authenticate': `Bearer realm="${auth.realm}",service="${auth.service}"` }
        : {}

  const uploads: http.RequestListener = (req, res) =>
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const id = url.pathname.split('/').pop() ?? ''
      const parts = sessions.get(id)
      if (!parts) return errors(res, 404, 'BLOB_UPLOAD_UNKNOWN')
      parts.push(await body(req))
      if (req.method === 'PATCH') {
        res.writeHead(202, { Location: req.url ?? '', Range: `0-${Buffer.concat(parts).length - 1}` }).end()
        return
      }
      const data = Buffer.concat(parts)
      const digest = url.searchParams.get('digest') ?? ''
      if (sha256(data) !== digest) return errors(res, 400, 'DIGEST_INVALID')
      sessions.delete(id)
      blobs.set(digest, data)
      res.writeHead(201, { 'Docker-Content-Digest': digest, Location: `/v2/blobs/${digest}` }).end()
    })()

  const reg = {} as FakeRegistry
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const p = url.pathname
    const to = reg.redirect?.(req.method ?? '', p)
    if (to) {
      req.resume()
      return void res.writeHead(to.status, { Location: to.location }).end()
    }
    if (!authorized(req)) {
      req.resume()
      return errors(res, 401, 'UNAUTHORIZED', challenge())
    }
    if (p === '/v2/' || p === '/v2') return void res.writeHead(200).end('{}')
    if (p.startsWith('/upload/')) return uploads(req, res)
    let m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p)
    if (m && req.method === 'POST') {
      req.resume()
      const id = randomBytes(8).toString('hex')
      sessions.set(id, [])
      const origin = reg.uploadOrigin ?? ''
      res.writeHead(202, { Location: `${origin}/upload/${id}`, 'Docker-Upload-UUID': id }).end()
      return
    }
    m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(p)
    if (m) {
      const data = blobs.get(m[2])
      if (!data) return errors(res, 404, 'BLOB_UNKNOWN')
      res.writeHead(200, { 'Content-Length': String(data.length), 'Docker-Content-Digest': m[2] })
      return void res.end(req.method === 'HEAD' ? undefined : data)
    }
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p)
    if (m) {
      const key = `${m[1]}:${m[2]}`
      if (req.method === 'PUT') {
        const data = await body(req)
        const doc = JSON.parse(data.toString('utf8')) as {
          config?: { digest: string }
          layers?: { digest: string }[]
          manifests?: { digest: string }[]
        }
        const blobRefs = [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]
        const missing =
          blobRefs.some((d) => !blobs.has(d.digest)) ||
          (doc.manifests ?? []).some((d) => !manifests.has(d.digest))
        if (missing) return errors(res, 400, 'MANIFEST_BLOB_UNKNOWN')
        const digest = sha256(data)
        manifests.set(digest, { type: req.headers['content-type'] ?? '', body: data })
        tags.set(key, digest)
        res.writeHead(201, { 'Docker-Content-Digest': digest }).end()
        return
      }
      const digest = m[2].startsWith('sha256:') ? m[2] : tags.get(key)
      const doc = digest ? manifests.get(digest) : undefined
      if (!doc || !digest) return errors(res, 404, 'MANIFEST_UNKNOWN')
      res.writeHead(200, {
        'Content-Type': doc.type,
        'Content-Length': String(doc.body.length),
        'Docker-Content-Digest': digest,
      })
      return void res.end(req.method === 'HEAD' ? undefined : doc.body)
    }
    req.resume()
    errors(res, 404, 'UNSUPPORTED')
  })
  return Object.assign(reg, server, { blobs, manifests, tags, uploads })
}

/** Puts a fixture's blobs and documents into the fake registry and tags its target. */
export function seedFake(reg: FakeRegistry, repo: string, tag: string, fx: ImageFixture): void {
  for (const [digest, data] of fx.blobs) {
    let mediaType: string | undefined
    try {
      mediaType = (JSON.parse(Buffer.from(data).toString('utf8')) as { mediaType?: string }).mediaType
    } catch {
      mediaType = undefined
    }
    if (mediaType && (isManifestType(mediaType) || isIndexType(mediaType))) {
      reg.manifests.set(digest, { type: mediaType, body: Buffer.from(data) })
    } else reg.blobs.set(digest, Buffer.from(data))
  }
  reg.tags.set(`${repo}:${tag}`, fx.target.digest)
}

/** A token service: Basic credentials of `users` (or none, for anonymous) get a fresh opaque token. */
export async function startTokenService(
  users: Record<string, string>,
  issued: Set<string>,
  where: 'here' | 'elsewhere' = 'here',
): Promise<Server & { realm: string }> {
  const s = await (where === 'here' ? listen : listenElsewhere)((req, res) => {
    req.resume()
    const a = req.headers.authorization ?? ''
    if (a.startsWith('Basic ')) {
      const plain = Buffer.from(a.slice(6), 'base64').toString('utf8')
      const i = plain.indexOf(':')
      if (users[plain.slice(0, i)] !== plain.slice(i + 1)) return void res.writeHead(401).end()
    }
    const token = randomBytes(12).toString('hex')
    issued.add(token)
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }))
  })
  return { ...s, realm: `${s.url}/token` }
}
