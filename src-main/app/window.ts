// The one window. The renderer is untrusted: isolated, sandboxed, no Node, web security on, and it may
// neither navigate away nor open windows. Only the app's own origin is ever loaded: app://berth in the
// installed app, the dev server only in development.
import { BrowserWindow, type WebContents, type WebPreferences } from 'electron'
import { APP_INDEX, APP_ORIGIN } from './app-protocol'
import { openExternalAllowed } from './external'

export const SECURE_PREFERENCES: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
}

export interface WindowOptions {
  /** out/preload/index.js */
  preload: string
  /** The dev server URL (electron-vite dev), honoured only when the app is not packaged. */
  devUrl?: string
  /** DevTools: development only. */
  devTools: boolean
}

/** Whether a URL belongs to the app: the dev server's origin in development, else app://berth. */
export function isAppUrl(url: string | undefined, opts: Pick<WindowOptions, 'devUrl'>): boolean {
  if (!url) return false
  try {
    const u = new URL(url)
    if (opts.devUrl) return u.origin === new URL(opts.devUrl).origin
    // 'app:' is registered as a standard scheme, so its URLs have a host (and an origin in Chromium).
    return `${u.protocol}//${u.host}` === APP_ORIGIN
  } catch {
    return false
  }
}

/**
 * The dev server URL from the environment, only outside a packaged app and only on loopback: an
 * installed app never loads its UI from wherever an environment variable points.
 */
export function devServerUrl(env: NodeJS.ProcessEnv, packaged: boolean): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL
  if (packaged || !raw) return undefined
  try {
    const u = new URL(raw)
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)
    return (u.protocol === 'http:' || u.protocol === 'https:') && loopback ? raw : undefined
  } catch {
    return undefined
  }
}

/** What every web contents gets, the window's and any other: no new windows, no navigation away, no webviews. */
export function hardenContents(contents: WebContents, opts: Pick<WindowOptions, 'devUrl'>): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalAllowed(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, opts)) e.preventDefault()
  })
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url, opts)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 820,
    minHeight: 520,
    show: false,
    title: 'Berth',
    backgroundColor: '#1b1d22',
    webPreferences: { ...SECURE_PREFERENCES, devTools: opts.devTools, preload: opts.preload },
  })
  hardenContents(win.webContents, opts)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(opts.devUrl ?? APP_INDEX)
  return win
}
