// The application menu: the platform's usual roles, plus Berth's own commands sent to the renderer as
// menu events (the renderer decides what "Import…" means in its current view).
import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron'
import { ipcName, type MenuCommand } from '../../src-preload/api'

export function buildMenu(
  send: (cmd: MenuCommand) => void,
  opts: { isMac?: boolean; devTools?: boolean } = {},
): Menu {
  const isMac = opts.isMac ?? process.platform === 'darwin'
  const cmd = (
    label: string,
    accelerator: string | undefined,
    c: MenuCommand,
  ): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(c),
  })
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        cmd('Import…', 'CmdOrCtrl+O', 'import'),
        cmd('Export…', 'CmdOrCtrl+E', 'export'),
        cmd('Pull…', 'CmdOrCtrl+Shift+P', 'pull'),
        { type: 'separator' },
        cmd('Garbage Collect…', undefined, 'gc'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        cmd('Images', 'CmdOrCtrl+1', 'view-images'),
        cmd('Content', 'CmdOrCtrl+2', 'view-content'),
        cmd('Registries', 'CmdOrCtrl+3', 'view-registries'),
        { type: 'separator' },
        cmd('Find', 'CmdOrCtrl+F', 'find'),
        cmd('Refresh', 'CmdOrCtrl+R', 'refresh'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        // DevTools are for development: the installed app neither offers them nor lets them open.
        ...(opts.devTools ? [{ role: 'toggleDevTools' as const }] : []),
      ],
    },
    { role: 'windowMenu' },
  ]
  return Menu.buildFromTemplate(template)
}

export function installMenu(win: BrowserWindow, devTools: boolean): void {
  Menu.setApplicationMenu(
    buildMenu((c) => win.webContents.send(ipcName('menu.command'), { command: c }), { devTools }),
  )
}
