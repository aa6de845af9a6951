// A test-only loopback bridge that plays Electron main: it starts the real store host (a Node child
// process, as the app's utilityProcess), and serves the contract over HTTP on 127.0.0.1 with a random
// port and a random token, with the built renderer from the same origin (so the renderer's CSP 'self'
// covers every request) and a `window.berth` shim that speaks to it. Calls go through the very broker
// main uses (src-main/app/broker.ts: schemas, path grants, insecure-host confirmation) and on to the
// host; the bridge answers the native dialogs and the host's cipher requests as main would. Events
// arrive by SSE.
import { randomBytes } from 'node:crypto'
import { readFileSync, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { createBroker } from '../../src-main/app/broker'
import { createInsecureHosts } from '../../src-main/app/insecure-hosts'
import { createPathGrants } from '../../src-main/app/path-grants'
import { startHost, type HostClient } from '../../src-main/host/client'
import type { HostConfig, ReverseHandlers } from '../../src-main/host/protocol'
import type { Platform } from '../../src-main/core/oci'
import { testCipherHandlers } from '../support/cipher'
import { nodeHostLauncher } from '../support/host'

export { testCipher } from '../support/cipher'

export interface BridgeOptions {
  root: string
  rendererDir: string
  host?: Platform
  /** Registry connections (extra CAs, timeouts), as the host is configured. */
  transport?: HostConfig['transport']
  /** Answers the host's cipher requests; default: the tests' reversible cipher (logins in <root>/logins.json). */
  cipher?: ReverseHandlers
}

export interface Bridge {
  /** Open this in the browser. */
  url: string
  token: string
  /** The store as the test reads it: its root and a read-only connection (the host owns the writes). */
  berth: { root: string; db: Database }
  /** The store host's client: tests kill its process to play a crash. */
  host: HostClient
  /**
   * What the next native dialog answers: the path an open/save dialog "chooses" (null: the user
   * cancels), and whether the user allows an insecure registry when asked (`asked` lists the hosts).
   */
  dialogs: { open: string | null; save: string | null; insecure: boolean; asked: string[] }
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
}

// The shim: the BerthBridge interface over fetch + EventSource, written as a classic script so it runs
// before the app's module.
const SHIM = `(() => {
  const base = new URL('.', document.currentScript.src).pathname;
  const listeners = new Map();
  const source = new EventSource(base + 'events');
  source.onmessage = (m) => {
    const { event, payload } = JSON.parse(m.data);
    for (const fn of listeners.get(event) ?? []) fn(payload);
  };
  window.berth = {
    async invoke(channel, ...args) {
      const r = await fetch(base + 'invoke', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, args }) });
      return r.json();
    },
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => listeners.get(event)?.delete(fn);
    },
    off(event, fn) { listeners.get(event)?.delete(fn); },
  };
})();`

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = randomBytes(18).toString('base64url')
  const prefix = `/app/${token}/`
  const clients = new Set<ServerResponse>()
  const dialogs: Bridge['dialogs'] = { open: null, save: null, insecure: false, asked: [] }
  const host = startHost({
    launch: nodeHostLauncher(),
    config: {
      root: opts.root,
      app: {
        name: 'Berth',
        version: '0.1.0',
        electron: null,
        node: process.versions.node,
        chromium: null,
        platform: `${process.platform}/${process.arch}`,
      },
      ...(opts.host ? { platform: opts.host } : {}),
      ...(opts.transport ? { transport: opts.transport } : {}),
    },
    reverse: opts.cipher ?? testCipherHandlers,
  })
  host.onEvent((e) => {
    const data = `data: ${JSON.stringify({ event: e.event, payload: e.payload })}\n\n`
    for (const c of clients) c.write(data)
  })
  try {
    await host.ready()
  } catch (e) {
    await host.stop()
    throw e
  }
  const dispatch = createBroker({
    forward: (channel, args) => host.call(channel, args),
    dialogs: {
      openFile: async () => dialogs.open,
      saveFile: async () => dialogs.save,
    },
    grants: createPathGrants(),
    insecure: createInsecureHosts(join(opts.root, 'insecure-registries.json'), async (h) => {
      dialogs.asked.push(h)
      return dialogs.insecure
    }),
  })
  const db = new BetterSqlite3(join(opts.root, 'berth.db'), { readonly: true, fileMustExist: true })

  const indexHtml = (): string =>
    readFileSync(join(opts.rendererDir, 'index.html'), 'utf8').replace(
      '<head>',
      '<head>\n    <script src="./shim.js"></script>',
    )

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      res.writeHead(500).end(String(e))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end()
      return
    }
    const rest = url.pathname.slice(prefix.length)
    if (rest === '' || rest === 'index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(indexHtml())
    } else if (rest === 'shim.js') {
      res.writeHead(200, { 'content-type': TYPES['.js'] }).end(SHIM)
    } else if (rest === 'invoke' && req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      let body: { channel?: unknown; args?: unknown }
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body
      } catch {
        body = {}
      }
      const r = await dispatch(body.channel, body.args ?? [])
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r))
    } else if (rest === 'events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      })
      res.write(': hello\n\n')
      clients.add(res)
      req.on('close', () => clients.delete(res))
    } else {
      const file = normalize(join(opts.rendererDir, rest))
      if (!file.startsWith(opts.rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end()
        return
      }
      res
        .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file))
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    token,
    berth: { root: opts.root, db },
    host,
    dialogs,
    async close() {
      for (const c of clients) c.end()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections?.()
      db.close()
      await host.stop()
    },
  }
}
