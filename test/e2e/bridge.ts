// A test-only loopback bridge: the real service behind the same contract, over HTTP on 127.0.0.1 with a
// random port and a random token, serving the built renderer from the same origin (so the renderer's
// CSP 'self' covers every request) and injecting a `window.berth` shim that speaks to it. Calls go
// through the very dispatch main binds to IPC (src-main/ipc.ts), schemas included; events arrive by SSE.
import { randomBytes } from 'node:crypto'
import { readFileSync, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import type { EventName, Events } from '../../src-preload/api'
import { createDispatch } from '../../src-main/ipc'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { createHandlers } from '../../src-main/service/index'
import type { RegistryDeps } from '../../src-main/service/registry'
import { FileCredentialStore, type Cipher } from '../../src-main/core/transfer/registry/credentials'
import { coreTransfer } from '../../src-main/service/transfer'
import { watchDataVersion } from '../../src-main/service/watch'
import type { Platform } from '../../src-main/core/oci'

export interface BridgeOptions {
  root: string
  rendererDir: string
  host?: Platform
  /** Registry access; default: logins in <root>/logins.json under testCipher, no Docker config. */
  registry?: RegistryDeps
}

/** Reversible and obviously not plain text (so a test can tell a secret was not stored as typed). */
export const testCipher: Cipher = {
  encrypt: (plain) => Buffer.from(`test:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`),
  decrypt: (data) =>
    Buffer.from(
      Buffer.from(data)
        .toString('utf8')
        .replace(/^test:/, ''),
      'base64',
    )
      .reverse()
      .toString('utf8'),
}

export interface Bridge {
  /** Open this in the browser. */
  url: string
  token: string
  berth: Berth
  /** What the next native open/save dialog "chooses" (null: the user cancels). */
  dialogs: { open: string | null; save: string | null }
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
  const berth = openBerth({ root: opts.root, host: opts.host })
  const clients = new Set<ServerResponse>()
  const dialogs: Bridge['dialogs'] = { open: null, save: null }
  const emit = <E extends EventName>(event: E, payload: Events[E]): void => {
    const data = `data: ${JSON.stringify({ event, payload })}\n\n`
    for (const c of clients) c.write(data)
  }
  const handlers = createHandlers(berth, {
    emit,
    appInfo: () => ({
      name: 'Berth',
      version: '0.1.0',
      electron: null,
      node: process.versions.node,
      chromium: null,
      platform: `${process.platform}/${process.arch}`,
      storePath: berth.root,
      hostPlatform: opts.host
        ? [opts.host.os, opts.host.architecture, opts.host.variant].filter(Boolean).join('/')
        : 'linux/amd64',
    }),
    transfer: coreTransfer,
    registry: opts.registry ?? {
      logins: new FileCredentialStore(join(opts.root, 'logins.json'), testCipher),
    },
    dialogs: {
      openFile: async () => dialogs.open,
      saveFile: async () => dialogs.save,
    },
  })
  const dispatch = createDispatch(handlers)
  const watcher = watchDataVersion(join(berth.root, 'berth.db'), () =>
    emit('store.changed', { source: 'external', at: new Date().toISOString() }),
  )

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
    berth,
    dialogs,
    async close() {
      watcher.stop()
      handlers.sources.close()
      for (const c of clients) c.end()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections?.()
      berth.close()
    },
  }
}
