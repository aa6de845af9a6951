// The host's end of the message port: Electron's utilityProcess gives the child `process.parentPort`,
// Node's child_process.fork gives it `process.send`. Both carry structured-clone data (fork is started
// with serialization 'advanced' so that Uint8Arrays and nested objects cross as they are).
import type { FromHost } from './protocol'

export interface ParentPort {
  send(msg: FromHost): void
  onMessage(fn: (msg: unknown) => void): void
  /** The parent went away (fork only: Electron ends utility processes with their parent). */
  onDisconnect(fn: () => void): void
}

interface ElectronParentPort {
  postMessage(message: unknown): void
  on(event: 'message', fn: (e: { data: unknown }) => void): void
}

export function parentPort(proc: NodeJS.Process = process): ParentPort {
  const electron = (proc as { parentPort?: ElectronParentPort }).parentPort
  if (electron) {
    return {
      send: (msg) => electron.postMessage(msg),
      onMessage: (fn) => electron.on('message', (e) => fn(e.data)),
      onDisconnect: () => {},
    }
  }
  const send = proc.send?.bind(proc)
  if (!send) {
    throw new Error(
      'the Berth store host runs under Berth (utilityProcess) or child_process.fork, not on its own',
    )
  }
  return {
    send: (msg) => {
      // A parent that is gone cannot be told anything; its 'disconnect' ends this process anyway.
      if (proc.connected) send(msg)
    },
    onMessage: (fn) => proc.on('message', fn),
    onDisconnect: (fn) => proc.once('disconnect', fn),
  }
}
