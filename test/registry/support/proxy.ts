// An HTTP proxy in front of a real registry that misbehaves on request: cuts a response after N
// bytes (the connection dies mid-blob), alters bytes or the Docker-Content-Digest header (a registry
// that lies), or answers 429 with Retry-After. Every request is logged for the assertions.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Fault {
  match: (method: string, path: string) => boolean
  /** Remaining uses; default 1. */
  times?: number
  cutAfter?: number
  corruptAt?: number
  digestHeader?: string
  respond?: { status: number; headers?: Record<string, string>; body?: string }
}

export interface LoggedRequest {
  method: string
  path: string
  range?: string
  authorization: boolean
  status?: number
  at: number
}

export interface Proxy {
  host: string
  url: string
  faults: Fault[]
  log: LoggedRequest[]
  stop(): Promise<void>
}

export async function startProxy(target: { port: number }): Promise<Proxy> {
  const faults: Fault[] = []
  const log: LoggedRequest[] = []
  const take = (method: string, path: string): Fault | undefined => {
    const i = faults.findIndex((f) => f.match(method, path))
    if (i < 0) return undefined
    const f = faults[i]
    f.times = (f.times ?? 1) - 1
    if (f.times <= 0) faults.splice(i, 1)
    return f
  }
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const entry: LoggedRequest = {
      method,
      path,
      range: req.headers.range,
      authorization: req.headers.authorization !== undefined,
      at: Date.now(),
    }
    log.push(entry)
    const fault = take(method, path)
    if (fault?.respond) {
      entry.status = fault.respond.status
      req.resume()
      res.writeHead(fault.respond.status, fault.respond.headers ?? {})
      res.end(fault.respond.body ?? '')
      return
    }
    const up = http.request(
      { host: '127.0.0.1', port: target.port, method, path, headers: req.headers },
      (upRes) => {
        entry.status = upRes.statusCode
        const headers = { ...upRes.headers }
        if (fault?.digestHeader) headers['docker-content-digest'] = fault.digestHeader
        res.writeHead(upRes.statusCode ?? 502, headers)
        let sent = 0
        upRes.on('data', (chunk: Buffer) => {
          let c = chunk
          if (
            fault?.corruptAt !== undefined &&
            fault.corruptAt >= sent &&
            fault.corruptAt < sent + c.length
          ) {
            c = Buffer.from(c)
            c[fault.corruptAt - sent] ^= 0xff
          }
          if (fault?.cutAfter !== undefined && sent + c.length >= fault.cutAfter) {
            res.write(c.subarray(0, fault.cutAfter - sent), () => res.socket?.destroy())
            upRes.destroy()
            sent = fault.cutAfter
            return
          }
          sent += c.length
          res.write(c)
        })
        upRes.on('end', () => res.end())
        upRes.on('error', () => res.socket?.destroy())
      },
    )
    up.on('error', () => res.socket?.destroy())
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
