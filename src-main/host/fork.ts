// Starting the store host as a Node child process: tests, the e2e loopback bridge and benchmarks use
// this where the app uses Electron's utilityProcess (src-main/app/host-process.ts). Both give the
// client (./client.ts) the same small handle.
import { fork } from 'node:child_process'
import type { HostLauncher } from './protocol'

export type { HostLauncher, HostProcess } from './protocol'

export interface ForkOptions {
  execArgv?: string[]
  env?: NodeJS.ProcessEnv
  /** The host's stdout and stderr: the parent's by default, so its errors are seen. */
  stdio?: 'inherit' | 'ignore'
}

export function forkHost(entry: string, opts: ForkOptions = {}): HostLauncher {
  return () => {
    const out = opts.stdio ?? 'inherit'
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv: opts.execArgv ?? [],
      env: opts.env ?? process.env,
      stdio: ['ignore', out, out, 'ipc'],
    })
    // A send racing the child's death reports here; the exit handler is what acts on it.
    child.on('error', () => {})
    return {
      send(msg) {
        if (child.connected) child.send(msg)
        else throw new Error('the store host is not connected')
      },
      onMessage: (fn) => child.on('message', fn),
      onExit: (fn) =>
        child.once('exit', (code, signal) => fn(signal ? `signal ${signal}` : `exit code ${code}`)),
      kill: () => void child.kill('SIGKILL'),
      get pid() {
        return child.pid
      },
    }
  }
}
