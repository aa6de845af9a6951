// The wire under the registry client: HTTPS by default (system roots plus an optional extra CA),
// plain HTTP only where it cannot leak anything (loopback) or where the user said so — for every URL
// a conversation touches, not only the first; inactivity timeouts; retries with backoff on 429/5xx
// that honour Retry-After; redirects followed by hand so that credentials never travel to another
// origin (blob storage behind a redirect gets none), a body never follows a redirect to another host,
// and no other host is reached on a network the registry is not on itself (addresses.ts).
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import tls from 'node:tls'
import { failedPrecondition, invalidArgument, unavailable } from '../../errors'
import { validateRegistryHost } from './reference'
import { Destinations, lookupFrom, type ResolvedAddress, type Resolver } from './addresses'

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'
/** A body is bytes, or a factory so that a retried or redirected request can send it again. */
export type Body = Uint8Array | (() => Readable | Promise<Readable>)

export interface TransportOptions {
  /** PEM text of extra certificate authorities, trusted in addition to the system roots. */
  ca?: string | string[]
  /** `host[:port]` entries that may be reached over plain HTTP, or over HTTPS without verification. */
  insecureHosts?: string[]
  /** Use plain HTTP; allowed only for loopback hosts and insecure hosts. */
  plainHttp?: boolean
  /** Inactivity timeout of a connection, ms (connect, headers and body alike). */
  timeoutMs?: number
  /** Attempts after the first on 429/5xx or a failed connection. */
  retries?: number
  /** First backoff step, ms; doubles each attempt. */
  backoffMs?: number
  /** Longest wait honoured from Retry-After or backoff, ms. */
  maxDelayMs?: number
  userAgent?: string
  /** Max sockets per origin. */
  maxSockets?: number
  /** Resolves host names for every connection (tests inject answers); default: the OS resolver. */
  resolver?: Resolver
}

export interface Request {
  method: Method
  url: URL
  headers?: Record<string, string>
  body?: Body
  signal?: AbortSignal
  /** Retry on 429 and 5xx (default true). Off for requests whose failure the caller handles itself. */
  retry?: boolean
  /**
   * The registry (`host[:port]`) this request is part of a conversation with; default: the first URL's
   * host. Every other host the request reaches is checked against the registry's network.
   */
  registry?: string
}

export interface Response {
  status: number
  headers: IncomingHttpHeaders
  /** The URL that answered, after redirects. */
  url: URL
  body: IncomingMessage
  header(name: string): string | undefined
  /** Reads the whole body; more than `limit` bytes is an error. */
  bytes(limit?: number): Promise<Buffer>
  text(limit?: number): Promise<string>
  /** Throws the body away so the connection can be reused. */
  discard(): void
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const TLS_SPOKE_TO_HTTP = new Set([
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
])
const IDEMPOTENT = new Set<Method>(['GET', 'HEAD'])
const MAX_REDIRECTS = 10
const ERROR_BODY_LIMIT = 64 * 1024

export function isLoopback(host: string): boolean {
  const bareIpv6 = !host.startsWith('[') && host.split(':').length > 2
  const h = host.startsWith('[')
    ? host.slice(0, host.indexOf(']') + 1)
    : bareIpv6
      ? host
      : host.replace(/:\d+$/, '')
  return LOOPBACK.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h)
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(abortError(signal!))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason
  if (r instanceof Error) return r
  const e = new Error('the operation was cancelled')
  e.name = 'AbortError'
  return e
}

/** Seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

function headerOf(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()]
  return Array.isArray(v) ? v.join(', ') : v
}

async function readAll(res: IncomingMessage, limit: number, url: URL): Promise<Buffer> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of res) {
    n += (c as Buffer).length
    if (n > limit) {
      res.destroy()
      throw invalidArgument(`response from ${url.host} is larger than ${limit} bytes`)
    }
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks)
}

/** Whether `url` is on `host` (as a registry host is written: `name[:port]`), default ports included. */
export function onHost(url: URL, host: string): boolean {
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host
  } catch {
    return false
  }
}

function stripAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'))
}

export class Transport {
  readonly opts: Required<Omit<TransportOptions, 'ca' | 'insecureHosts' | 'userAgent' | 'resolver'>> &
    TransportOptions
  private readonly httpAgent: http.Agent
  private readonly httpsAgent: https.Agent
  private readonly insecureAgent: https.Agent
  /** Hosts found to speak plain HTTP although HTTPS was tried first (loopback or insecure only). */
  private readonly plainHosts = new Set<string>()
  private readonly insecure: Set<string>
  private readonly destinations: Destinations

  constructor(opts: TransportOptions = {}) {
    this.opts = {
      timeoutMs: 30_000,
      retries: 3,
      backoffMs: 250,
      maxDelayMs: 60_000,
      plainHttp: false,
      maxSockets: 16,
      ...opts,
    }
    this.insecure = new Set(opts.insecureHosts ?? [])
    this.destinations = new Destinations(opts.resolver)
    const extra = opts.ca === undefined ? [] : Array.isArray(opts.ca) ? opts.ca : [opts.ca]
    const common = { keepAlive: true, maxSockets: this.opts.maxSockets }
    this.httpAgent = new http.Agent(common)
    this.httpsAgent = new https.Agent({
      ...common,
      ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}),
    })
    this.insecureAgent = new https.Agent({ ...common, rejectUnauthorized: false })
  }

  /** May this host be spoken to without TLS? Loopback always may; others only when marked insecure. */
  mayUsePlainHttp(host: string): boolean {
    return isLoopback(host) || this.insecure.has(host)
  }

  /** The base URL of a registry host, choosing the scheme by the rules above. */
  baseUrl(host: string): URL {
    validateRegistryHost(host)
    if (this.opts.plainHttp) {
      if (!this.mayUsePlainHttp(host)) {
        throw invalidArgument(
          `refusing plain HTTP to ${host}: only loopback hosts or registries marked insecure may be reached without TLS`,
        )
      }
      return new URL(`http://${host}`)
    }
    return new URL(`${this.plainHosts.has(host) ? 'http' : 'https'}://${host}`)
  }

  close(): void {
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
    this.insecureAgent.destroy()
  }

  /**
   * May `url` be requested in a conversation with `registry`? Plain HTTP only to loopback or insecure
   * hosts; any host but the registry only on a network the registry is on, or a public one. Returns
   * the addresses to connect to when a host was checked, so the connection goes where the check said.
   */
  private async admit(url: URL, registry: string, what: string): Promise<ResolvedAddress[] | undefined> {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw failedPrecondition(`refusing ${what} to ${url.host}: unsupported scheme ${url.protocol}`)
    }
    if (url.protocol === 'http:' && !this.mayUsePlainHttp(url.host)) {
      throw failedPrecondition(
        `refusing plain HTTP to ${url.host} (${what}): only loopback hosts or registries marked insecure may be reached without TLS`,
      )
    }
    if (onHost(url, registry)) return undefined
    return this.destinations.admit(url.hostname, registry, what)
  }

  /** Sends a request, retrying and following redirects. The caller reads or discards the body. */
  async send(req: Request): Promise<Response> {
    let url = req.url
    let method = req.method
    let body = req.body
    let headers = { ...(req.headers ?? {}) }
    const origin = req.url.origin
    const registry = req.registry ?? req.url.host
    let what = `a request for ${registry}`
    for (let hop = 0; ; hop++) {
      const pinned = await this.admit(url, registry, what)
      const res = await this.sendRetrying({ ...req, method, url, headers, body }, pinned)
      if (!REDIRECTS.has(res.status)) return res
      const location = res.header('location')
      res.discard()
      if (!location) throw unavailable(`redirect from ${url.host} without a Location header`)
      if (hop >= MAX_REDIRECTS) throw unavailable(`too many redirects from ${req.url.host}`)
      const next = new URL(location, url)
      what = `a redirect from ${url.host}`
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
      }
      // A body was meant for the host it was sent to; a redirect that keeps it would replay it elsewhere.
      if (body !== undefined && next.host !== url.host) {
        throw failedPrecondition(
          `refusing to follow a ${res.status} redirect of a ${method} with a body from ${url.host} to ${next.host}`,
        )
      }
      if (next.origin !== origin) headers = stripAuthorization(headers)
      url = next
    }
  }

  private async sendRetrying(req: Request, pinned?: ResolvedAddress[]): Promise<Response> {
    const retryStatus = req.retry !== false
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.opts.retries
      let res: Response
      try {
        res = await this.sendOnce(req, pinned)
      } catch (e) {
        if (req.signal?.aborted) throw abortError(req.signal)
        const code = (e as NodeJS.ErrnoException).code ?? ''
        if (
          req.url.protocol === 'https:' &&
          TLS_SPOKE_TO_HTTP.has(code) &&
          this.mayUsePlainHttp(req.url.host)
        ) {
          // The server answered TLS with plain HTTP: a loopback or insecure registry without TLS.
          // Credentials meant for TLS are not resent in the clear: the caller may send them again
          // under the rules for plain HTTP (client.ts).
          this.plainHosts.add(req.url.host)
          req = {
            ...req,
            url: new URL(req.url.href.replace(/^https:/, 'http:')),
            headers: stripAuthorization(req.headers ?? {}),
          }
          continue
        }
        if (last || !IDEMPOTENT.has(req.method)) {
          throw unavailable(`cannot reach ${req.url.host}: ${(e as Error).message}`, e)
        }
        await sleep(this.backoff(attempt), req.signal)
        continue
      }
      if (!retryStatus || last || !(res.status === 429 || res.status >= 500)) return res
      if (res.status === 501 || res.status === 505) return res
      const after = parseRetryAfter(res.header('retry-after'))
      res.discard()
      const wait = Math.min(after ?? this.backoff(attempt), this.opts.maxDelayMs)
      await sleep(wait, req.signal)
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.backoffMs * 2 ** attempt
    return Math.min(base / 2 + Math.random() * (base / 2), this.opts.maxDelayMs)
  }

  private agentFor(url: URL): http.Agent {
    if (url.protocol === 'http:') return this.httpAgent
    return this.insecure.has(url.host) ? this.insecureAgent : this.httpsAgent
  }

  private async sendOnce(req: Request, pinned?: ResolvedAddress[]): Promise<Response> {
    if (req.signal?.aborted) throw abortError(req.signal)
    const { url } = req
    const lib = url.protocol === 'http:' ? http : https
    const headers: Record<string, string> = { ...(req.headers ?? {}) }
    if (this.opts.userAgent && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) {
      headers['User-Agent'] = this.opts.userAgent
    }
    let stream: Readable | undefined
    if (req.body instanceof Uint8Array) headers['Content-Length'] = String(req.body.byteLength)
    else if (typeof req.body === 'function') stream = await req.body()
    const timeoutMs = this.opts.timeoutMs
    return await new Promise<Response>((resolve, reject) => {
      const r = lib.request(url, {
        method: req.method,
        headers,
        agent: this.agentFor(url),
        signal: req.signal,
        lookup: lookupFrom(pinned ? async () => pinned : this.destinations.resolver),
      })
      r.setTimeout(timeoutMs, () => {
        r.destroy(Object.assign(new Error(`no activity for ${timeoutMs} ms`), { code: 'ETIMEDOUT' }))
      })
      r.on('error', (e) => {
        stream?.destroy()
        reject(e)
      })
      r.on('response', (res) => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          url,
          body: res,
          header: (name) => headerOf(res.headers, name),
          bytes: (limit = ERROR_BODY_LIMIT) => readAll(res, limit, url),
          text: async (limit = ERROR_BODY_LIMIT) => (await readAll(res, limit, url)).toString('utf8'),
          discard: () => {
            // Even an empty body must be read to its end, or the socket never returns to the pool.
            res.on('error', () => {})
            res.resume()
          },
        })
      })
      if (req.body instanceof Uint8Array) r.end(req.body)
      else if (stream) {
        stream.on('error', (e) => r.destroy(e))
        stream.pipe(r)
      } else r.end()
    })
  }
}

/** Wraps any chunk source as a Node stream (for request bodies built from async iterables). */
export function toReadable(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Readable {
  return Readable.from(src, { objectMode: false })
}
