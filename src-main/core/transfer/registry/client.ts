// One registry conversation: a request to a host with the scopes it needs, answered after at most
// one round of authentication. Everything above this file speaks Distribution API paths; everything
// below it speaks HTTP.
import { Authorizer } from './auth'
import type { CredentialSource } from './credentials'
import { Transport, type Body, type Method, type Response, type TransportOptions } from './http'

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

  /** Sends to `host` a request for `pathOrUrl`; a 401 is answered once with fresh authorization. */
  async call(host: string, pathOrUrl: string | URL, o: CallOptions): Promise<Response> {
    const url = typeof pathOrUrl === 'string' ? this.url(host, pathOrUrl) : pathOrUrl
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorizer.header(host, o.scopes, o.signal)
      const headers = { ...(o.headers ?? {}) }
      if (auth) headers.Authorization = auth
      const res = await this.transport.send({
        method: o.method,
        url,
        headers,
        body: o.body,
        signal: o.signal,
        retry: o.retry,
      })
      if (res.status !== 401 || attempt >= 2) {
        if (res.status < 400) this.authorizer.accepted(host, o.scopes)
        return res
      }
      const again = await this.authorizer.unauthorized(host, res, o.scopes, auth !== undefined)
      if (!again) return res
      res.discard()
    }
  }
}
