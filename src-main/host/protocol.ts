// What crosses between the process that plays main (Electron main, the e2e bridge, a benchmark) and the
// store host. Plain structured-clone data in both directions, over whichever port carries it
// (utilityProcess's parentPort, or child_process.fork with serialization 'advanced').
//
//   parent → host: init (once), call, reply (to a reverse request), stop
//   host → parent: ready | fatal (once), result (to a call), event, request (reverse: what only the
//                  parent can do, such as encrypting a secret with the OS keychain)
//
// Types only, plus tiny guards: the client imports this, and must reach nothing that opens a database.
import type { AppInfo, Envelope, EventName, Events, WireError } from '../../src-preload/api'

/** How the host is set up; sent once, before any call. */
export interface HostConfig {
  /** <userData>: berth.db, store/, logins.json. */
  root: string
  /** What app.info answers besides the store path and the host platform, which the host fills in. */
  app: Omit<AppInfo, 'storePath' | 'hostPlatform'>
  /** A fixed platform instead of this machine's (tests keep the matrix machine-independent). */
  platform?: { os: string; architecture: string; variant?: string; osVersion?: string }
  /** Look up registry credentials in ~/.docker/config.json after the app's own logins. */
  dockerConfig?: boolean
  /** Registry connections: extra CAs (PEM) and timeouts, as tests need them. */
  transport?: { ca?: string | string[]; timeoutMs?: number; retries?: number; backoffMs?: number }
}

/** Requests the host makes of its parent, with their argument and result types. */
export interface ReverseRequests {
  /** Encrypts a registry secret with the OS keychain (safeStorage in Electron). */
  'cipher.encrypt': { args: [plain: string]; result: Uint8Array }
  'cipher.decrypt': { args: [data: Uint8Array]; result: string }
}
export type ReverseMethod = keyof ReverseRequests
export const REVERSE_METHODS = ['cipher.encrypt', 'cipher.decrypt'] as const satisfies ReverseMethod[]

export type ReverseHandlers = {
  [M in ReverseMethod]: (
    ...args: ReverseRequests[M]['args']
  ) => ReverseRequests[M]['result'] | Promise<ReverseRequests[M]['result']>
}

export type ToHost =
  | { type: 'init'; config: HostConfig }
  | { type: 'call'; id: number; channel: string; args: unknown[] }
  | { type: 'reply'; id: number; envelope: Envelope<unknown> }
  | { type: 'stop' }

export type HostEvent = { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName]

export type FromHost =
  | { type: 'ready' }
  | { type: 'fatal'; error: WireError }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | HostEvent
  | { type: 'request'; id: number; method: ReverseMethod; args: unknown[] }

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null

/** A message from the host, checked for shape before the parent acts on it. */
export function isFromHost(m: unknown): m is FromHost {
  if (!isObject(m) || typeof m.type !== 'string') return false
  switch (m.type) {
    case 'ready':
      return true
    case 'fatal':
      return isObject(m.error)
    case 'result':
      return typeof m.id === 'number' && isObject(m.envelope)
    case 'event':
      return typeof m.event === 'string'
    case 'request':
      return (
        typeof m.id === 'number' &&
        (REVERSE_METHODS as readonly unknown[]).includes(m.method) &&
        Array.isArray(m.args)
      )
    default:
      return false
  }
}

export function isToHost(m: unknown): m is ToHost {
  if (!isObject(m) || typeof m.type !== 'string') return false
  switch (m.type) {
    case 'init':
      return isObject(m.config) && typeof m.config.root === 'string'
    case 'call':
      return typeof m.id === 'number' && typeof m.channel === 'string' && Array.isArray(m.args)
    case 'reply':
      return typeof m.id === 'number' && isObject(m.envelope)
    case 'stop':
      return true
    default:
      return false
  }
}

/** The channels whose result is a running job: the client tracks them to fail them if the host dies. */
export const JOB_CHANNELS: readonly string[] = [
  'images.import',
  'images.export',
  'images.pull',
  'images.push',
]

/** One running host process, as the client sees it, however it was started. */
export interface HostProcess {
  send(msg: ToHost): void
  onMessage(fn: (msg: unknown) => void): void
  /** Once, when the process has ended; `why` says how (exit code or signal). */
  onExit(fn: (why: string) => void): void
  kill(): void
  readonly pid: number | undefined
}

/** Starts one host process: child_process.fork under Node (./fork.ts), utilityProcess in the app. */
export type HostLauncher = () => HostProcess
