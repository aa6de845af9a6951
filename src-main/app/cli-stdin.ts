// The stdin of the CLI's utility process (see ./cli-child.ts): Electron gives a utility process none,
// so main feeds it over the parent port, a chunk per read.
//
// The port is listened to only while the CLI reads stdin: a listening port keeps the process alive,
// and the CLI ends by letting its event loop drain.
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'

export interface Port {
  postMessage(m: unknown): void
  on(event: 'message', fn: (e: { data: unknown }) => void): void
  off(event: 'message', fn: (e: { data: unknown }) => void): void
}

/** A Readable fed from the parent port, pulling one chunk per read. */
export function portStdin(port: Port): Readable {
  let listening = false
  const onMessage = ({ data }: { data: unknown }): void => {
    const m = data as { type?: string; data?: Uint8Array }
    if (m.type === 'stdin' && m.data) input.push(Buffer.from(m.data))
    else if (m.type === 'stdin-end') {
      input.push(null)
      stop()
    }
  }
  const stop = (): void => {
    if (listening) port.off('message', onMessage)
    listening = false
  }
  const input = new Readable({
    read() {
      if (!listening) {
        listening = true
        port.on('message', onMessage)
      }
      port.postMessage({ type: 'stdin-pull' })
    },
  })
  input.once('end', stop)
  input.once('close', stop)
  return input
}

/** Gives the process a stdin fed by main, then runs the CLI bundle at `cli` (which runs on load). */
export function runCliChild(port: Port, cli: string): void {
  Object.defineProperty(process, 'stdin', { value: portStdin(port), configurable: true, enumerable: true })
  createRequire(__filename)(cli)
}
