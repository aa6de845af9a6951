// The store host as Electron runs it: a utilityProcess (a Node process Chromium's service launcher
// starts; it works with the RunAsNode fuse off, which child_process.fork of the app binary would not).
import { utilityProcess } from 'electron'
import type { HostLauncher, ToHost } from '../host/protocol'

export function utilityHost(entry: string): HostLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Berth store', stdio: 'inherit' })
    // Messages wait for the process to exist; after its exit, sending is an error the client handles.
    let queue: ToHost[] | null = []
    let exited = false
    child.once('spawn', () => {
      for (const m of queue ?? []) child.postMessage(m)
      queue = null
    })
    child.once('exit', () => (exited = true))
    return {
      send(msg) {
        if (exited) throw new Error('the store host has exited')
        if (queue) queue.push(msg)
        else child.postMessage(msg)
      },
      onMessage: (fn) => void child.on('message', fn),
      onExit: (fn) => void child.once('exit', (code) => fn(`exit code ${code}`)),
      kill: () => void child.kill(),
      get pid() {
        return child.pid
      },
    }
  }
}
