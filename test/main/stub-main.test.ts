// The Electron main process, loaded with a stub `electron` module (no binary needed) whose
// utilityProcess.fork starts the REAL store host as a Node child: main opens no store itself, brokers
// every channel to the host, serves the renderer from app://berth, denies permissions, new windows and
// navigation, grants file paths only through its own dialogs, asks before any insecure registry, and
// restarts the host when it dies. Random or malformed arguments on every channel come back as
// envelopes — never a throw, never a crash.
import fc from 'fast-check'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CHANNELS, ipcName, type Envelope, type HostState, type JobDone } from '../../src-preload/api'
import { singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from '../registry/support/certs'
import { hasRegistry, startRegistry, type RunningRegistry } from '../registry/support/registry'

type Handler = (
  event: { senderFrame?: { url: string } },
  ...args: unknown[]
) => Promise<Envelope<unknown>> | Envelope<unknown>

const stub = vi.hoisted(() => {
  const handlers = new Map<string, Handler>()
  const windows: {
    options: Record<string, unknown>
    listeners: Map<string, (...a: unknown[]) => void>
    openHandler?: (d: { url: string }) => unknown
    loaded?: string
    sent: { channel: string; payload: unknown }[]
  }[] = []
  const paths: Record<string, string> = {}
  const external: string[] = []
  // A reversible stand-in for the OS keychain; `available` false is a machine without one.
  const safe = { available: true, backend: 'gnome_libsecret' }
  const appEvents = new Map<string, ((...a: unknown[]) => void)[]>()
  const schemes: unknown[] = []
  const protocols = new Map<string, (req: Request) => Promise<Response>>()
  const permissions: {
    request?: (wc: unknown, p: string, cb: (ok: boolean) => void, d: { requestingUrl?: string }) => void
    check?: (wc: unknown, p: string, origin: string) => boolean
    device?: (d: unknown) => boolean
  } = {}
  const dialogs = {
    open: null as string | null,
    save: null as string | null,
    /** The button the insecure-registry question answers: 0 Cancel, 1 Allow. */
    insecure: 0,
    asked: [] as string[],
    shown: 0,
  }
  const children: { pid: number | undefined; kill(): void }[] = []
  const app = { quit: 0, lock: 0, isPackaged: true }
  /** When set, utilityProcess.fork fails, as it would for a missing host bundle. */
  const fork = { fails: false }
  return {
    handlers,
    windows,
    paths,
    external,
    safe,
    appEvents,
    schemes,
    protocols,
    permissions,
    dialogs,
    children,
    app,
    fork,
  }
})

vi.mock('electron', async () => {
  const { fork } = await import('node:child_process')
  const { EventEmitter } = await import('node:events')
  const { hostEntry } = await import('../support/host')
  class BrowserWindow {
    static getAllWindows = () => stub.windows
    webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      const record = {
        options,
        listeners: new Map<string, (...a: unknown[]) => void>(),
        sent: [],
      } as (typeof stub.windows)[number]
      stub.windows.push(record)
      this.webContents = {
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (record.openHandler = fn),
        on: (ev: string, fn: (...a: unknown[]) => void) => record.listeners.set(ev, fn),
        send: (channel: string, payload: unknown) => record.sent.push({ channel, payload }),
      }
      Object.assign(this, {
        once: () => {},
        on: () => {},
        show: () => {},
        isDestroyed: () => false,
        loadFile: async (f: string) => (record.loaded = f),
        loadURL: async (u: string) => (record.loaded = u),
      })
    }
  }
  const app = {
    get isPackaged() {
      return stub.app.isPackaged
    },
    setName: () => {},
    setPath: (k: string, v: string) => (stub.paths[k] = v),
    getPath: (k: string) => stub.paths[k] ?? join(stub.paths.base, k),
    getVersion: () => '0.1.0',
    whenReady: async () => {},
    requestSingleInstanceLock: () => (stub.app.lock++, true),
    on: (ev: string, fn: (...a: unknown[]) => void) =>
      stub.appEvents.set(ev, [...(stub.appEvents.get(ev) ?? []), fn]),
    quit: () => void stub.app.quit++,
    exit: () => {},
  }
  const ipcMain = {
    handle: (ch: string, fn: Handler) => stub.handlers.set(ch, fn),
    removeHandler: (ch: string) => stub.handlers.delete(ch),
  }
  const Menu = {
    buildFromTemplate: (t: unknown) => t,
    setApplicationMenu: (m: unknown) => (stub.paths.menu = JSON.stringify(m)),
  }
  const shell = { openExternal: async (u: string) => void stub.external.push(u) }
  const dialog = {
    showOpenDialog: async () => (
      stub.dialogs.shown++,
      stub.dialogs.open
        ? { canceled: false, filePaths: [stub.dialogs.open] }
        : { canceled: true, filePaths: [] }
    ),
    showSaveDialog: async (_w: unknown, o: { defaultPath?: string }) => {
      stub.dialogs.shown++
      stub.dialogs.asked.push(o.defaultPath ?? '')
      return stub.dialogs.save ? { canceled: false, filePath: stub.dialogs.save } : { canceled: true }
    },
    showMessageBox: async (_w: unknown, o: { message: string }) => {
      stub.dialogs.asked.push(o.message)
      return { response: stub.dialogs.insecure }
    },
  }
  const safeStorage = {
    isEncryptionAvailable: () => stub.safe.available,
    getSelectedStorageBackend: () => stub.safe.backend,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'hex').toString(),
  }
  const protocol = {
    registerSchemesAsPrivileged: (s: unknown[]) => stub.schemes.push(...s),
    handle: (scheme: string, fn: (req: Request) => Promise<Response>) => stub.protocols.set(scheme, fn),
  }
  const session = {
    defaultSession: {
      setPermissionRequestHandler: (fn: typeof stub.permissions.request) => (stub.permissions.request = fn),
      setPermissionCheckHandler: (fn: typeof stub.permissions.check) => (stub.permissions.check = fn),
      setDevicePermissionHandler: (fn: typeof stub.permissions.device) => (stub.permissions.device = fn),
    },
  }
  // The real host, in a Node child process, behind utilityProcess's shape.
  const utilityProcess = {
    fork(modulePath: string) {
      if (!modulePath.endsWith('host.js')) throw new Error(`unexpected utility process ${modulePath}`)
      if (stub.fork.fails) throw new Error(`Cannot find module '${modulePath}'`)
      const { entry, execArgv } = hostEntry()
      const child = fork(entry, [], {
        serialization: 'advanced',
        execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      const up = Object.assign(new EventEmitter(), {
        pid: child.pid,
        postMessage: (m: unknown) => child.send(m as never),
        kill: () => child.kill('SIGKILL'),
      })
      child.on('error', () => {})
      child.on('spawn', () => up.emit('spawn'))
      child.on('message', (m) => up.emit('message', m))
      child.on('exit', (code) => up.emit('exit', code ?? 1))
      stub.children.push(up)
      return up
    },
  }
  const mod = {
    app,
    BrowserWindow,
    ipcMain,
    Menu,
    shell,
    dialog,
    safeStorage,
    protocol,
    session,
    utilityProcess,
  }
  return { ...mod, default: mod }
})

let base: string
const trusted = () => ({ senderFrame: { url: 'app://berth/index.html' } })
const call = (channel: string, ...args: unknown[]) =>
  stub.handlers.get(ipcName(channel as never))!(trusted(), ...args)
const sent = (event: string) =>
  stub.windows[0].sent.filter((s) => s.channel === ipcName(event as never)).map((s) => s.payload)

async function jobDone(id: string): Promise<JobDone> {
  let d: JobDone | undefined
  await vi.waitFor(
    () => {
      d = (sent('job.done') as JobDone[]).find((x) => x.id === id)
      expect(d).toBeDefined()
    },
    { timeout: 20_000 },
  )
  return d!
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'berth-main-'))
  stub.paths.base = base
  stub.paths.appData = join(base, 'appData')
  stub.paths.downloads = join(base, 'Downloads')
  // An installed app: the dev server variable must be ignored.
  process.env.ELECTRON_RENDERER_URL = 'http://127.0.0.1:5173/'
  await import('../../src-main/app/index')
  await vi.waitFor(() => expect(stub.windows.length).toBe(1))
  await vi.waitFor(
    () => expect(sent('host.state')).toContainEqual(expect.objectContaining({ state: 'ready' })),
    { timeout: 30_000 },
  )
}, 60_000)

afterAll(async () => {
  delete process.env.ELECTRON_RENDERER_URL
  // Quitting waits for the host to close the store.
  const quitsBefore = stub.app.quit
  for (const fn of stub.appEvents.get('will-quit') ?? []) fn({ preventDefault: () => {} })
  await vi.waitFor(() => expect(stub.app.quit).toBe(quitsBefore + 1), { timeout: 10_000 })
  rmSync(base, { recursive: true, force: true })
})

describe('the window', () => {
  it('is isolated, sandboxed, without Node or DevTools, and loads app://berth — not the dev server', () => {
    const prefs = stub.windows[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    })
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.js$/)
    expect(stub.windows[0].loaded).toBe('app://berth/index.html')
    expect(stub.paths.menu).not.toMatch(/toggleDevTools/)
  })

  it('uses <appData>/Berth as userData, the directory the CLI uses, and takes the single-instance lock', () => {
    expect(stub.paths.userData).toBe(join(base, 'appData', 'Berth'))
    expect(stub.app.lock).toBe(1)
  })

  it('registers app:// as a secure standard scheme and serves only inside the renderer directory', async () => {
    expect(stub.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ])
    const handle = stub.protocols.get('app')!
    const r = await handle(new Request('app://berth/%2e%2e/%2e%2e/%2e%2e/package.json'))
    expect(r.status).toBe(404)
  })

  it('denies new windows, opens no external URL, and refuses navigation away from app://berth', () => {
    const w = stub.windows[0]
    expect(w.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(w.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(stub.external).toEqual([])
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://evil/index.html',
      'http://127.0.0.1:5173/',
    ]) {
      let prevented = false
      w.listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, url)
      expect(prevented, url).toBe(true)
    }
    let prevented = false
    w.listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, 'app://berth/index.html')
    expect(prevented).toBe(false)
    // Any other web contents gets the same treatment.
    expect(stub.appEvents.get('web-contents-created')).toHaveLength(1)
  })

  it('denies every permission and device, except sanitized clipboard writes from the app itself', () => {
    const ask = (p: string, url: string) => {
      let answer: boolean | undefined
      stub.permissions.request!(null, p, (ok) => (answer = ok), { requestingUrl: url })
      return answer
    }
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
      'serial',
    ])
      expect(ask(p, 'app://berth/index.html'), p).toBe(false)
    expect(ask('clipboard-sanitized-write', 'app://berth/index.html')).toBe(true)
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    expect(stub.permissions.check!(null, 'geolocation', 'app://berth')).toBe(false)
    expect(stub.permissions.check!(null, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false)
    expect(stub.permissions.device!({ deviceType: 'usb' })).toBe(false)
  })
})

describe('the contract, brokered to the store host', () => {
  it('has a handler for every channel', () => {
    for (const c of CHANNELS) expect(stub.handlers.has(ipcName(c)), c).toBe(true)
    expect(stub.handlers.size).toBe(CHANNELS.length)
  })

  it('answers from the host process, with the store in userData', async () => {
    const r = await call('app.info')
    expect(r).toMatchObject({ ok: true, value: { name: 'Berth', storePath: join(base, 'appData', 'Berth') } })
    const list = await call('images.list', { namespace: 'default' })
    expect(list).toMatchObject({ ok: true, value: { items: [], total: 0 } })
    expect(existsSync(join(base, 'appData', 'Berth', 'berth.db'))).toBe(true)
    // The database is open in the host, not here.
    expect(stub.children.at(-1)!.pid).not.toBe(process.pid)
  })

  it('refuses calls from a frame that is not the app', async () => {
    const r = await stub.handlers.get(ipcName('app.info'))!({ senderFrame: { url: 'https://evil.example/' } })
    expect(r).toMatchObject({ ok: false, error: { kind: 'failed-precondition' } })
    const file = await stub.handlers.get(ipcName('app.info'))!({
      senderFrame: { url: 'file:///tmp/index.html' },
    })
    expect(file).toMatchObject({ ok: false, error: { kind: 'failed-precondition' } })
  })

  it.each(CHANNELS)('%s: random arguments give invalid-argument, never a throw', async (channel) => {
    const h = stub.handlers.get(ipcName(channel))!
    // Argument lists no channel accepts: a first argument that is not a plain object, or one more
    // argument than any channel takes.
    const notAnObject = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything()),
    )
    const bad = fc.oneof(
      fc.tuple(notAnObject).map((a) => a as unknown[]),
      fc.tuple(fc.anything(), fc.anything()).map((a) => a as unknown[]),
      fc.tuple(fc.dictionary(fc.string(), fc.anything()), fc.anything()).map((a) => a as unknown[]),
    )
    await fc.assert(
      fc.asyncProperty(bad, async (args) => {
        const r = await h(trusted(), ...args)
        expect(r.ok).toBe(false)
        if (!r.ok) expect(r.error.kind).toBe('invalid-argument')
      }),
      { numRuns: 60 },
    )
  })

  it.each(CHANNELS)('%s: malformed objects never crash and fail only with a known kind', async (channel) => {
    const h = stub.handlers.get(ipcName(channel))!
    const field = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.integer(),
      fc.constant(undefined),
      fc.constant(null),
      fc.array(fc.string()),
      fc.dictionary(fc.string(), fc.string()),
    )
    const obj = fc.record(
      {
        namespace: fc.oneof(fc.constant('default'), fc.string()),
        name: field,
        digest: field,
        names: field,
        path: field,
        filter: field,
        id: field,
        changes: field,
        offset: field,
        limit: field,
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(obj, async (o) => {
        const r = await h(trusted(), o)
        expect(typeof r.ok).toBe('boolean')
        if (!r.ok)
          expect([
            'invalid-argument',
            'not-found',
            'failed-precondition',
            'not-implemented',
            'already-exists',
          ]).toContain(r.error.kind)
      }),
      { numRuns: 40 },
    )
  })
})

describe('paths belong to main', () => {
  const NAME = 'docker.io/library/granted:1'
  let home: string

  beforeAll(async () => {
    home = join(base, 'home')
    mkdirSync(join(home, '.ssh'), { recursive: true })
    writeOCIArchive(join(base, 'granted.tar'), [
      { fixture: singlePlatformImage({ seed: 'granted', layerSize: 3000 }), name: NAME },
    ])
  })

  it('refuses an import of a path no dialog granted', async () => {
    const r = await call('images.import', { namespace: 'default', path: join(base, 'granted.tar') })
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'failed-precondition', message: expect.stringMatching(/Open dialog/) },
    })
  })

  it('imports the file the open dialog returned, once', async () => {
    stub.dialogs.open = join(base, 'granted.tar')
    expect(await call('dialogs.openFile', { title: 'Import' })).toEqual({
      ok: true,
      value: join(base, 'granted.tar'),
    })
    const r = (await call('images.import', {
      namespace: 'default',
      path: join(base, 'granted.tar'),
    })) as Envelope<{ id: string }>
    expect(r.ok).toBe(true)
    if (r.ok) expect(await jobDone(r.value.id)).toMatchObject({ ok: true, images: [NAME] })
    const again = await call('images.import', { namespace: 'default', path: join(base, 'granted.tar') })
    expect(again).toMatchObject({ ok: false, error: { kind: 'failed-precondition' } })
  })

  it('a renderer asking to export to ~/.ssh/authorized_keys is refused, and nothing is written', async () => {
    const target = join(home, '.ssh', 'authorized_keys')
    writeFileSync(target, 'ssh-ed25519 AAAA the-users-own-key\n')
    const r = await call('images.export', { namespace: 'default', names: [NAME], path: target })
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'failed-precondition', message: expect.stringMatching(/Save dialog/) },
    })
    // Nor with a path granted for opening: a grant is for one purpose.
    stub.dialogs.open = target
    expect((await call('dialogs.openFile', {})).ok).toBe(true)
    expect(await call('images.export', { namespace: 'default', names: [NAME], path: target })).toMatchObject({
      ok: false,
      error: { kind: 'failed-precondition' },
    })
    await new Promise((r) => setTimeout(r, 200))
    expect(readFileSync(target, 'utf8')).toBe('ssh-ed25519 AAAA the-users-own-key\n')
  })

  it('exports to the path the save dialog returned, which starts in Downloads with a bare file name', async () => {
    const out = join(base, 'export.tar')
    stub.dialogs.save = out
    const picked = await call('dialogs.saveFile', { title: 'Export', defaultName: 'granted_1.tar' })
    expect(picked).toEqual({ ok: true, value: out })
    expect(stub.dialogs.asked.at(-1)).toBe(join(base, 'Downloads', 'granted_1.tar'))
    const r = (await call('images.export', { namespace: 'default', names: [NAME], path: out })) as Envelope<{
      id: string
    }>
    expect(r.ok).toBe(true)
    if (r.ok) expect(await jobDone(r.value.id)).toMatchObject({ ok: true, path: out })
    expect(statSync(out).size).toBeGreaterThan(3000)
  })

  it.each(['../../.ssh/authorized_keys', '/etc/passwd', 'a/b.tar', 'a\\b.tar', '..', '.'])(
    'refuses a defaultName that is not a bare file name: %s',
    async (defaultName) => {
      const shown = stub.dialogs.shown
      const r = await call('dialogs.saveFile', { defaultName })
      expect(r).toMatchObject({
        ok: false,
        error: { kind: 'invalid-argument', message: expect.stringMatching(/file name without a directory/) },
      })
      expect(stub.dialogs.shown).toBe(shown)
    },
  )
})

describe('insecure registries are confirmed by main, per host', () => {
  // Nothing listens here: a forwarded call fails to connect, a refused one never leaves main.
  const ref = '127.0.0.1:9/app:1'

  it('an unconfirmed host is refused before the host process hears of it', async () => {
    stub.dialogs.insecure = 0
    const r = await call('registry.inspect', { ref, insecure: true })
    expect(r).toMatchObject({
      ok: false,
      error: {
        kind: 'failed-precondition',
        message: expect.stringMatching(/127\.0\.0\.1:9 was not allowed/),
      },
    })
    expect(stub.dialogs.asked.at(-1)).toMatch(/127\.0\.0\.1:9/)
    expect(existsSync(join(stub.paths.userData, 'insecure-registries.json'))).toBe(false)
  })

  it('a confirmed host is remembered in userData and not asked about again', async () => {
    stub.dialogs.insecure = 1
    const asked = stub.dialogs.asked.length
    const r = await call('images.pull', { namespace: 'default', ref, insecure: true })
    // Forwarded: the pull starts as a job (and fails later, nobody listens on port 9).
    expect(r).toMatchObject({ ok: true })
    expect(stub.dialogs.asked.length).toBe(asked + 1)
    const file = JSON.parse(readFileSync(join(stub.paths.userData, 'insecure-registries.json'), 'utf8'))
    expect(file).toEqual({ version: 1, hosts: ['127.0.0.1:9'] })
    stub.dialogs.insecure = 0
    const again = await call('registry.inspect', { ref, insecure: true })
    expect(again.ok ? 'ok' : again.error.kind).not.toBe('failed-precondition')
    expect(stub.dialogs.asked.length).toBe(asked + 1)
  })

  it('a login host that is not a registry host is refused before anyone is asked', async () => {
    const asked = stub.dialogs.asked.length
    const r = await call('registry.login', {
      host: 'docker.io@evil.com',
      username: 'a',
      secret: 'b',
      insecure: true,
    })
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } })
    expect(stub.dialogs.asked.length).toBe(asked)
  })

  it('a call without insecure asks nothing', async () => {
    const asked = stub.dialogs.asked.length
    await call('registry.inspect', { ref: '127.0.0.2:9/app:1' })
    expect(stub.dialogs.asked.length).toBe(asked)
  })
})

describe.skipIf(!hasRegistry())('registry logins, encrypted by main for the host', () => {
  let reg: RunningRegistry
  const PASSWORD = 'hunter2-in-the-keychain'

  beforeAll(async () => {
    const dir = join(base, 'reg')
    mkdirSync(dir)
    const tls = makeServerCerts(dir)
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine('ann', PASSWORD)}\n`)
    reg = await startRegistry({
      tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem },
      htpasswd: join(dir, 'htpasswd'),
    })
  }, 60_000)

  afterAll(async () => reg?.stop())

  it('are kept in <userData>/logins.json with the secret encrypted by safeStorage, listed without it', async () => {
    // The registry's certificate is from a CA only the test knows: the user allows it as insecure.
    stub.dialogs.insecure = 1
    const r = await call('registry.login', {
      host: reg.host,
      username: 'ann',
      secret: PASSWORD,
      insecure: true,
    })
    expect(r).toEqual({ ok: true, value: { host: reg.host, username: 'ann' } })
    const file = readFileSync(join(stub.paths.userData, 'logins.json'), 'utf8')
    expect(file).not.toContain(PASSWORD)
    const stored = JSON.parse(file).hosts[reg.host].secret as string
    expect(Buffer.from(stored, 'base64').toString()).toBe(`enc:${Buffer.from(PASSWORD).toString('hex')}`)
    expect(await call('registry.logins.list')).toEqual({
      ok: true,
      value: [{ host: reg.host, username: 'ann' }],
    })
    expect(await call('registry.logout', { host: reg.host })).toEqual({ ok: true, value: { removed: true } })
  })

  it.each([
    ['no keychain', false, 'gnome_libsecret'],
    ['the basic_text fallback on Linux', true, 'basic_text'],
  ])('are refused, not stored in plain text, with %s', async (_what, available, backend) => {
    if (backend === 'basic_text' && process.platform !== 'linux') return
    Object.assign(stub.safe, { available, backend })
    try {
      const r = await call('registry.login', {
        host: reg.host,
        username: 'ann',
        secret: PASSWORD,
        insecure: true,
      })
      expect(r).toMatchObject({
        ok: false,
        error: { kind: 'failed-precondition', message: expect.stringMatching(/cannot be stored safely/) },
      })
      expect(readFileSync(join(stub.paths.userData, 'logins.json'), 'utf8')).not.toContain(PASSWORD)
    } finally {
      Object.assign(stub.safe, { available: true, backend: 'gnome_libsecret' })
    }
  })
})

describe('host supervision', () => {
  it('a killed host: the call in flight fails unavailable, the window hears "restarting", then "ready", and calls work', async () => {
    const before = stub.windows[0].sent.length
    const child = stub.children.at(-1)!
    // A call the host is busy with when it dies (a preview over the whole store).
    const inflight = call('gc.preview')
    child.kill()
    const r = await inflight
    // It either finished just before the kill or failed as unavailable; it never hangs.
    if (!r.ok) expect(r.error.kind).toBe('unavailable')
    await vi.waitFor(
      () => {
        const states = stub.windows[0].sent
          .slice(before)
          .filter((s) => s.channel === ipcName('host.state'))
          .map((s) => (s.payload as HostState).state)
        expect(states).toEqual(['restarting', 'ready'])
      },
      { timeout: 30_000 },
    )
    expect(stub.children.at(-1)).not.toBe(child)
    expect(await call('images.list', { namespace: 'default' })).toMatchObject({ ok: true })
  }, 60_000)

  it('a host that cannot be started is reported as failed, again to a window that loads afterwards', async () => {
    stub.fork.fails = true
    const before = stub.windows[0].sent.length
    stub.children.at(-1)!.kill()
    const failed = () =>
      stub.windows[0].sent
        .slice(before)
        .filter((s) => s.channel === ipcName('host.state') && (s.payload as HostState).state === 'failed')
    await vi.waitFor(() => expect(failed()).toHaveLength(1), { timeout: 10_000 })
    expect(failed()[0].payload).toMatchObject({ message: expect.stringMatching(/could not be started/) })
    expect(await call('app.info')).toMatchObject({ ok: false, error: { kind: 'unavailable' } })
    // A reload of the page missed that event: main says it again.
    stub.windows[0].listeners.get('did-finish-load')?.()
    expect(failed()).toHaveLength(2)
  }, 30_000)
})
