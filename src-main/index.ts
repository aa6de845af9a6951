// Electron main: one store (<userData>, shared with the berth CLI), one secure window, the contract
// bound over IPC, and a watcher that tells the renderer when anything — this app or the CLI — writes.
import { app, BrowserWindow, dialog, ipcMain } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ipcName, type AppInfo, type EventName, type Events } from '../src-preload/api'
import { formatAll, hostPlatform } from './core/platforms'
import { openBerth, PRODUCT_NAME } from './service/berth'
import { createHandlers } from './service/index'
import { coreTransfer } from './service/transfer'
import { keepLayoutIndex } from './service/layout-index'
import { watchDataVersion } from './service/watch'
import { bindIpc, createDispatch } from './ipc'
import { appLogins } from './logins'
import { installMenu } from './menu'
import { createMainWindow, isAppUrl } from './window'

app.setName(PRODUCT_NAME)
// The store lives where the CLI looks for it (service/berth.ts defaultRoot computes the same path).
app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME))

const here = typeof __dirname === 'string' ? __dirname : fileURLToPath(new URL('.', import.meta.url))
const rendererDir = join(here, '../renderer')
const devUrl = process.env.ELECTRON_RENDERER_URL

let win: BrowserWindow | null = null

function emit<E extends EventName>(event: E, payload: Events[E]): void {
  if (win && !win.isDestroyed()) win.webContents.send(ipcName(event), payload)
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  await app.whenReady()
  const berth = openBerth({ root: app.getPath('userData') })
  const info = (): AppInfo => ({
    name: PRODUCT_NAME,
    version: app.getVersion(),
    electron: process.versions.electron ?? null,
    node: process.versions.node,
    chromium: process.versions.chrome ?? null,
    platform: `${process.platform}/${process.arch}`,
    storePath: berth.root,
    hostPlatform: formatAll(hostPlatform()),
  })
  const handlers = createHandlers(berth, {
    emit,
    appInfo: info,
    transfer: coreTransfer,
    registry: appLogins(berth.root),
    dialogs: {
      async openFile(req) {
        const r = await dialog.showOpenDialog(win!, {
          title: req.title,
          properties: ['openFile'],
          filters: req.filters,
        })
        return r.canceled ? null : (r.filePaths[0] ?? null)
      },
      async saveFile(req) {
        const r = await dialog.showSaveDialog(win!, {
          title: req.title,
          defaultPath: req.defaultName ? join(app.getPath('downloads'), req.defaultName) : undefined,
          filters: req.filters,
        })
        return r.canceled ? null : (r.filePath ?? null)
      },
    },
  })
  const opts = { preload: join(here, '../preload/index.js'), devUrl, rendererDir }
  bindIpc(ipcMain, createDispatch(handlers), (url) => isAppUrl(url, opts))
  const layoutIndex = keepLayoutIndex(berth)
  const watcher = watchDataVersion(join(berth.root, 'berth.db'), () => {
    emit('store.changed', { source: 'external', at: new Date().toISOString() })
    layoutIndex.poke()
  })
  const open = (): void => {
    win = createMainWindow(opts)
    installMenu(win)
    win.on('closed', () => (win = null))
  }
  open()
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => {
    watcher.stop()
    layoutIndex.stop()
    berth.close()
  })
}

void main()
