// Main started as `<app binary> --berth-cli …` is the command line, not the app: it looks at the flag
// before anything else — no window, no single-instance lock (the CLI runs beside an open app), no
// scheme, no store host — forks the CLI's utility process with the arguments after the flag, and
// exits with its exit code.
import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'

const stub = vi.hoisted(() => ({
  forks: [] as { entry: string; args: string[]; opts: Record<string, unknown>; child: EventEmitter }[],
  windows: 0,
  lock: 0,
  schemes: 0,
  dockHidden: 0,
  exits: [] as number[],
}))

vi.mock('electron', () => {
  const app = {
    isPackaged: true,
    dock: { hide: () => void stub.dockHidden++ },
    whenReady: async () => {},
    requestSingleInstanceLock: () => (stub.lock++, true),
    exit: (code: number) => void stub.exits.push(code),
    setName: () => {},
    setPath: () => {},
    getPath: () => '/nonexistent',
    on: () => {},
    quit: () => {},
  }
  class BrowserWindow {
    constructor() {
      stub.windows++
    }
  }
  const utilityProcess = {
    fork(entry: string, args: string[], opts: Record<string, unknown>) {
      const child = Object.assign(new EventEmitter(), { postMessage: () => {} })
      stub.forks.push({ entry, args, opts, child })
      return child
    },
  }
  const protocol = { registerSchemesAsPrivileged: () => void stub.schemes++, handle: () => {} }
  const mod = {
    app,
    BrowserWindow,
    utilityProcess,
    protocol,
    ipcMain: {},
    dialog: {},
    session: {},
    Menu: {},
    shell: {},
    safeStorage: {},
  }
  return { ...mod, default: mod }
})

describe('main with --berth-cli', () => {
  it('runs the CLI and nothing of the app', async () => {
    const argv = process.argv
    process.argv = ['/opt/Berth/berth', '--berth-cli', '--root', '/tmp/r', 'images', 'ls', '-q']
    try {
      await import('../../src-main/app/index')
      await vi.waitFor(() => expect(stub.forks).toHaveLength(1))
    } finally {
      process.argv = argv
    }
    const [f] = stub.forks
    expect(f.entry).toMatch(/[\\/]cli-child\.js$/)
    expect(f.args).toEqual(['--root', '/tmp/r', 'images', 'ls', '-q'])
    expect(f.opts).toMatchObject({ stdio: 'inherit' })
    expect({ windows: stub.windows, lock: stub.lock, schemes: stub.schemes, dock: stub.dockHidden }).toEqual({
      windows: 0,
      lock: 0,
      schemes: 0,
      dock: 1,
    })
    f.child.emit('exit', 5)
    expect(stub.exits).toEqual([5])
  })
})
