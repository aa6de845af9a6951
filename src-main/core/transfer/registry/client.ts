// One registry conversation: a request to a host with the scopes it needs, answered after at most
// one round of authentication. Everything above this file speaks Distribution API paths; everything
// below it speaks HTTP. The registry's credentials go to the registry's own origin and nowhere else:
// an upload Location or redirect on another origin gets no Authorization, and its 401 is an error
// here, never a challenge the authorizer answers (containerd's pusher drops the authorizer likewise).
import { failedPrecondition } from '../../errors'
import { Authorizer } from './auth'
import type { CredentialSource } from './credentials'
import { RegistryError } from './errors'
import { Transport, isLoopback, type Body, type Method, type Response, type TransportOptions } from './http'

export interface RegistryOptions extends TransportOptions {
  credentials?: CredentialSource
  /** Share a transport (connection pools) or authorizer (token cache) between clients. */
  transport?: Transport
  authorizer?: Authorizer
}

export interface CallOptions {
  method: Method
  scopes: string[]
  headers?: Record<string, string>
  body?: Body
  signal?: AbortSignal
  retry?: boolean
}

export class RegistryClient {
  readonly transport: Transport
  readonly authorizer: Authorizer
  private readonly ownsTransport: boolean

  constructor(opts: RegistryOptions = {}) {
    this.ownsTransport = opts.transport === undefined
    this.transport = opts.transport ?? new Transport(opts)
    this.authorizer = opts.authorizer ?? new Authorizer(this.transport, { credentials: opts.credentials })
  }

  close(): void {
    if (this.ownsTransport) this.transport.close()
  }

  /** `https://host/v2/<path>` (or http where allowed), query included. */
  url(host: string, path: string): URL {
    return new URL(path, this.transport.baseUrl(host))
  }

  /**
   * Sends to `host` a request for `pathOrUrl` (a path on the registry, or a URL it handed out); a 401
   * from the registry itself is answered once with fresh authorization.
   */
  async call(host: string, pathOrUrl: string | URL, o: CallOptions): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      // Computed each time: the registry may have turned out to speak plain HTTP meanwhile.
      const own = this.url(host, '/').origin
      const url = typeof pathOrUrl === 'string' ? this.url(host, pathOrUrl) : pathOrUrl
      const ours = url.origin === own
      const auth = ours ? await this.authorizer.header(host, o.scopes, o.signal) : undefined
      if (auth && url.protocol === 'http:' && !isLoopback(url.host)) await this.refusePlain(host)
      const headers = { ...(o.headers ?? {}) }
      if (auth) headers.Authorization = auth
      const res = await this.transport.send({
        method: o.method,
        url,
        headers,
        body: o.body,
        signal: o.signal,
        retry: o.retry,
        registry: host,
      })
      // Compared after the answer: a first request may have found that the registry speaks plain HTTP.
      if (res.status === 401 && res.url.origin !== this.url(host, '/').origin) {
        res.discard()
        throw foreignChallenge(res.url, host)
      }
      if (res.status !== 401 || attempt >= 2) {
        if (res.status < 400) this.authorizer.accepted(host, o.scopes)
        return res
      }
      // Fallen back to plain HTTP on the way: the credentials stayed behind, so they count as unsent.
      const sent = auth !== undefined && res.url.protocol === url.protocol
      const again = await this.authorizer.unauthorized(host, res, o.scopes, sent)
      if (!again) return res
      res.discard()
    }
  }

  /** Credentials for `host` never cross plain HTTP except on loopback, where nothing can overhear them. */
  private async refusePlain(host: string): Promise<void> {
    if (!(await this.authorizer.hasCredentials(host))) return
    throw failedPrecondition(
      `refusing to send the credentials for ${host} over plain HTTP: only loopback registries get them without TLS; serve ${host} over HTTPS (--insecure ${host} accepts a certificate Berth cannot verify)`,
    )
  }
}

function foreignChallenge(from: URL, host: string): RegistryError {
  return new RegistryError(
    'failed-precondition',
    'unauthorized',
    401,
    [],
    `${from.host} asked for credentials, but it is not the registry ${host}: Berth sends the credentials of ${host} only to ${host} itself`,
  )
}
