// The one window. The renderer is untrusted: isolated, sandboxed, no Node, web security on, and it may
// neither navigate away nor open windows. Only the app's own origin is ever loaded.
import { BrowserWindow, shell, type WebPreferences } from 'electron'
import { join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

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
  /** The dev server URL (electron-vite dev) or undefined to load out/renderer/index.html. */
  devUrl?: string
  rendererDir: string
}

/** Whether a URL belongs to the app: the dev server's origin, or the built renderer's files. */
export function isAppUrl(
  url: string | undefined,
  opts: Pick<WindowOptions, 'devUrl' | 'rendererDir'>,
): boolean {
  if (!url) return false
  try {
    const u = new URL(url)
    if (opts.devUrl) return u.origin === new URL(opts.devUrl).origin
    if (u.protocol !== 'file:') return false
    // fileURLToPath gives the platform's own form (C:\… on Windows), comparable with rendererDir.
    const file = resolve(fileURLToPath(u))
    const dir = resolve(opts.rendererDir)
    return file === dir || file.startsWith(dir + sep)
  } catch {
    return false
  }
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
    webPreferences: { ...SECURE_PREFERENCES, preload: opts.preload },
  })
  const contents = win.webContents
  // Links to the web open in the user's browser; nothing opens inside the app.
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, opts)) e.preventDefault()
  })
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url, opts)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  win.once('ready-to-show', () => win.show())
  if (opts.devUrl) void win.loadURL(opts.devUrl)
  else void win.loadFile(join(opts.rendererDir, 'index.html'))
  return win
}
