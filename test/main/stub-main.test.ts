// The Electron main process, loaded with a stub `electron` module (no binary needed): the window is
// created with secure webPreferences and refuses navigation and new windows; every contract channel has
// a handler; and random or malformed arguments on every channel come back as 'invalid-argument'
// envelopes — never a throw, never a crash.
import fc from 'fast-check'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CHANNELS, ipcName, type Envelope } from '../../src-preload/api'

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
  }[] = []
  const paths: Record<string, string> = {}
  const external: string[] = []
  // A reversible stand-in for the OS keychain; `available` false is a machine without one.
  const safe = { available: true, backend: 'gnome_libsecret' }
  return { handlers, windows, paths, external, safe }
})

vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => stub.windows
    webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      const record = {
        options,
        listeners: new Map<string, (...a: unknown[]) => void>(),
      } as (typeof stub.windows)[number]
      stub.windows.push(record)
      this.webContents = {
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (record.openHandler = fn),
        on: (ev: string, fn: (...a: unknown[]) => void) => record.listeners.set(ev, fn),
        session: { setPermissionRequestHandler: () => {} },
        send: () => {},
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
    setName: () => {},
    setPath: (k: string, v: string) => (stub.paths[k] = v),
    getPath: (k: string) => stub.paths[k] ?? join(stub.paths.base, k),
    getVersion: () => '0.1.0',
    whenReady: async () => {},
    requestSingleInstanceLock: () => true,
    on: () => {},
    quit: () => {},
  }
  const ipcMain = {
    handle: (ch: string, fn: Handler) => stub.handlers.set(ch, fn),
    removeHandler: (ch: string) => stub.handlers.delete(ch),
  }
  const Menu = { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} }
  const shell = { openExternal: async (u: string) => void stub.external.push(u) }
  const dialog = {
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    showSaveDialog: async () => ({ canceled: true }),
  }
  const safeStorage = {
    isEncryptionAvailable: () => stub.safe.available,
    getSelectedStorageBackend: () => stub.safe.backend,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'hex').toString(),
  }
  const mod = { app, BrowserWindow, ipcMain, Menu, shell, dialog, safeStorage }
  return { ...mod, default: mod }
})

let base: string

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'berth-main-'))
  stub.paths.base = base
  stub.paths.appData = join(base, 'appData')
  await import('../../src-main/index')
  await vi.waitFor(() => expect(stub.windows.length).toBe(1))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

const trusted = () => ({ senderFrame: { url: `file://${stub.windows[0].loaded}` } })

describe('the window', () => {
  it('is isolated, sandboxed, without Node, with web security on', () => {
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
    })
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.js$/)
    expect(stub.windows[0].loaded).toMatch(/renderer[\\/]index\.html$/)
  })

  it('uses <appData>/Berth as userData, the directory the CLI uses', () => {
    expect(stub.paths.userData).toBe(join(base, 'appData', 'Berth'))
  })

  it('denies new windows and navigation away from the app', () => {
    const w = stub.windows[0]
    expect(w.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(w.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(stub.external).toEqual(['https://example.com/'])
    const sibling = `file://${dirname(w.loaded as string)}-evil/index.html`
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', sibling]) {
      let prevented = false
      w.listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, url)
      expect(prevented, url).toBe(true)
    }
    let prevented = false
    w.listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, `file://${w.loaded}`)
    expect(prevented).toBe(false)
  })
})

describe('registry logins', () => {
  it('are kept in <userData>/logins.json with the secret encrypted, listed without it', async () => {
    const { appLogins } = await import('../../src-main/logins')
    const { logins } = appLogins(stub.paths.userData)
    await logins.set('registry.example', { username: 'ann', secret: 'hunter2' })
    const file = readFileSync(join(stub.paths.userData, 'logins.json'), 'utf8')
    expect(file).not.toContain('hunter2')
    expect(await logins.get('registry.example')).toEqual({ username: 'ann', secret: 'hunter2' })
    const r = await stub.handlers.get(ipcName('registry.logins.list'))!(trusted())
    expect(r).toEqual({ ok: true, value: [{ host: 'registry.example', username: 'ann' }] })
    const out = await stub.handlers.get(ipcName('registry.logout'))!(trusted(), { host: 'registry.example' })
    expect(out).toEqual({ ok: true, value: { removed: true } })
  })

  it.each([
    ['no keychain', false, 'gnome_libsecret'],
    ['the basic_text fallback on Linux', true, 'basic_text'],
  ])('are refused, not stored in plain text, with %s', async (_what, available, backend) => {
    if (backend === 'basic_text' && process.platform !== 'linux') return
    const { appLogins } = await import('../../src-main/logins')
    Object.assign(stub.safe, { available, backend })
    try {
      const { logins } = appLogins(join(base, 'refused'))
      await expect(
        logins.set('registry.example', { username: 'ann', secret: 'hunter2' }),
      ).rejects.toMatchObject({
        kind: 'failed-precondition',
        message: expect.stringMatching(/cannot be stored safely/),
      })
      expect(existsSync(join(base, 'refused', 'logins.json'))).toBe(false)
    } finally {
      Object.assign(stub.safe, { available: true, backend: 'gnome_libsecret' })
    }
  })
})

describe('the contract binding', () => {
  it('has a handler for every channel', () => {
    for (const c of CHANNELS) expect(stub.handlers.has(ipcName(c)), c).toBe(true)
    expect(stub.handlers.size).toBe(CHANNELS.length)
  })

  it('answers a real call', async () => {
    const r = await stub.handlers.get(ipcName('app.info'))!(trusted())
    expect(r).toMatchObject({ ok: true, value: { name: 'Berth', storePath: join(base, 'appData', 'Berth') } })
    const list = await stub.handlers.get(ipcName('images.list'))!(trusted(), { namespace: 'default' })
    expect(list).toMatchObject({ ok: true, value: { items: [], total: 0 } })
  })

  it('refuses calls from a frame that is not the app', async () => {
    const r = await stub.handlers.get(ipcName('app.info'))!({ senderFrame: { url: 'https://evil.example/' } })
    expect(r).toMatchObject({ ok: false, error: { kind: 'failed-precondition' } })
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
        if (
          channel === 'app.info' ||
          channel === 'namespaces.list' ||
          channel === 'gc.preview' ||
          channel === 'gc.run' ||
          channel === 'registry.logins.list'
        ) {
          if (args.length === 0) return
        }
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
