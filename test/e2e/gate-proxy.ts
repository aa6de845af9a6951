// A proxy in front of a registry that holds large blob downloads half way until released, so a test
// can look at a pull in flight (per-blob progress) and cancel it; or, with `hold`, any GET whose path
// matches (manifests: a Check that cannot finish until the test says so).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GateProxy {
  host: string
  /** Responses currently held. */
  held(): number
  release(): void
  stop(): Promise<void>
}

export async function startGateProxy(
  target: { port: number },
  opts: { minBytes?: number; hold?: RegExp } = {},
): Promise<GateProxy> {
  const minBytes = opts.minBytes ?? 50_000
  let open!: () => void
  let gate = new Promise<void>((r) => (open = r))
  let held = 0
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
      (ures) => {
        const chunks: Buffer[] = []
        ures.on('data', (c: Buffer) => chunks.push(c))
        ures.on('end', () => {
          const body = Buffer.concat(chunks)
          res.writeHead(ures.statusCode ?? 502, ures.headers)
          const hold = opts.hold
            ? req.method === 'GET' && opts.hold.test(req.url ?? '')
            : req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && body.length >= minBytes
          if (!hold) {
            res.end(body)
            return
          }
          const half = Math.floor(body.length / 2)
          res.write(body.subarray(0, half))
          held++
          void gate.then(() => {
            held--
            if (!res.destroyed) res.end(body.subarray(half))
          })
        })
      },
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    host: `127.0.0.1:${port}`,
    held: () => held,
    release() {
      open()
      gate = new Promise<void>((r) => (open = r))
    },
    async stop() {
      open()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
