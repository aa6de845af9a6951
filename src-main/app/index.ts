// Electron main: windows, menu, native dialogs, safeStorage, and the supervision of the store host —
// nothing here opens the database or reads a blob. The renderer's calls are checked (./broker.ts) and
// forwarded to the host (src-main/host/), which runs in a utilityProcess; its events come back here and
// go to the window. `--berth-cli` turns the binary into the berth command line instead (./cli-launch.ts).
import { app, BrowserWindow, dialog, ipcMain, protocol, session, utilityProcess } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ipcName, type HostState } from '../../src-preload/api'
import { startHost, type HostClient } from '../host/client'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appResponse } from './app-protocol'
import { createBroker, type NativeDialogs } from './broker'
import { cliArgs, runCli } from './cli-launch'
import { utilityHost } from './host-process'
import { createInsecureHosts } from './insecure-hosts'
import { bindIpc } from './ipc'
import { keychainCipher } from './keychain'
import { installMenu } from './menu'
import { createPathGrants } from './path-grants'
import { denyPermissions } from './permissions'
import { createMainWindow, devServerUrl, hardenContents, isAppUrl } from './window'

/** service/berth.ts defaultRoot names the CLI's store directory after the same product name. */
const PRODUCT_NAME = 'Berth'

const here = typeof __dirname === 'string' ? __dirname : fileURLToPath(new URL('.', import.meta.url))

const cli = cliArgs(process.argv)
if (cli)
  void runCli(join(here, 'cli-child.js'), cli, { app, fork: utilityProcess.fork, stdin: process.stdin })
else void runApp()

async function runApp(): Promise<void> {
  app.setName(PRODUCT_NAME)
  // The store lives where the CLI looks for it (service/berth.ts defaultRoot computes the same path).
  app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME))
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  const devUrl = devServerUrl(process.env, app.isPackaged)
  const devTools = !app.isPackaged
  const rendererDir = join(here, '../renderer')
  const userData = app.getPath('userData')
  let win: BrowserWindow | null = null

  await app.whenReady()
  protocol.handle(APP_SCHEME, (req) => appResponse(rendererDir, req))
  const isApp = (url: string | undefined): boolean => isAppUrl(url, { devUrl })
  denyPermissions(session.defaultSession, isApp)
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, { devUrl }))

  const host: HostClient = startHost({
    launch: utilityHost(join(here, 'host.js')),
    config: {
      root: userData,
      app: {
        name: PRODUCT_NAME,
        version: app.getVersion(),
        electron: process.versions.electron ?? null,
        node: process.versions.node,
        chromium: process.versions.chrome ?? null,
        platform: `${process.platform}/${process.arch}`,
      },
      dockerConfig: true,
    },
    reverse: keychainCipher,
  })
  // The last host.state, for a window that loads after it was sent (a host that failed at start).
  let hostState: HostState | undefined
  host.onEvent((e) => {
    if (e.event === 'host.state') hostState = e.payload
    if (win && !win.isDestroyed()) win.webContents.send(ipcName(e.event), e.payload)
  })

  const dialogs: NativeDialogs = {
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
  }
  const confirmInsecure = async (registry: string): Promise<boolean> => {
    const r = await dialog.showMessageBox(win!, {
      type: 'warning',
      buttons: ['Cancel', 'Allow'],
      defaultId: 0,
      cancelId: 0,
      title: 'Insecure registry',
      message: `Connect to ${registry} without verifying it?`,
      detail:
        'Berth will use plain HTTP, or accept any certificate, for this registry from now on. Anyone on ' +
        'the network path could read or change what is transferred, including your password. Allow ' +
        'this only for a registry you run yourself.',
    })
    return r.response === 1
  }
  const broker = createBroker({
    forward: (channel, args) => host.call(channel, args),
    dialogs,
    grants: createPathGrants(),
    insecure: createInsecureHosts(join(userData, 'insecure-registries.json'), confirmInsecure),
  })
  bindIpc(ipcMain, broker, isApp)

  const open = (): void => {
    const w = createMainWindow({ preload: join(here, '../preload/index.js'), devUrl, devTools })
    w.webContents.on('did-finish-load', () => {
      if (hostState && hostState.state !== 'ready') w.webContents.send(ipcName('host.state'), hostState)
    })
    win = w
    installMenu(w, devTools)
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
  // The host closes the store itself (jobs cancelled, index.json written); quitting waits for it.
  let closing = false
  app.on('will-quit', (e) => {
    if (closing) return
    closing = true
    e.preventDefault()
    void host.stop().finally(() => app.quit())
  })
}
