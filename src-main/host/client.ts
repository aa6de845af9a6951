// The parent's side of the store host: start it, call it, hear its events, answer its reverse requests,
// and start it again when it dies. A call never hangs on a dead host: whatever was in flight when it
// went away is answered 'unavailable', and every job it was running gets a failed job.done, so the UI
// neither waits forever nor shows a progress bar for work nobody is doing.
//
// Imports nothing that opens a database or touches blobs: Electron main loads this.
import {
  isErrorKind,
  type Envelope,
  type EventName,
  type Events,
  type HostState,
  type JobKind,
  type WireError,
} from '../../src-preload/api'
import {
  isFromHost,
  JOB_CHANNELS,
  type HostConfig,
  type HostEvent,
  type HostLauncher,
  type HostProcess,
  type ReverseHandlers,
  type ReverseMethod,
} from './protocol'

export interface HostClientOptions {
  launch: HostLauncher
  config: HostConfig
  reverse: ReverseHandlers
  /** Waits before each restart after an unexpected exit; the last one repeats. */
  restartDelaysMs?: number[]
  /** Give up (state 'failed') after this many exits within `crashWindowMs`. */
  maxCrashes?: number
  crashWindowMs?: number
  /** A host that has not said 'ready' by then is killed (and counts as a crash). */
  readyTimeoutMs?: number
  /** How long stop() waits for a clean exit before killing. */
  stopTimeoutMs?: number
  log?: (line: string) => void
}

export type ClientState = HostState['state'] | 'stopped'

export interface HostClient {
  /** One contract call; always settles with an envelope. */
  call(channel: string, args: unknown[]): Promise<Envelope<unknown>>
  on<E extends EventName>(event: E, fn: (payload: Events[E]) => void): () => void
  /** Every event, as the host sent it (plus the client's own host.state and synthesized job.done). */
  onEvent(fn: (e: HostEvent) => void): () => void
  state(): ClientState
  /** The running host's process id (tests kill it to play a crash). */
  pid(): number | undefined
  /** Resolves when the host is ready; rejects if it failed or was stopped first. */
  ready(): Promise<void>
  /** Asks the host to finish (it closes the store), then kills it if it does not within the timeout. */
  stop(): Promise<void>
}

interface Waiting {
  channel: string
  args: unknown[]
  resolve: (e: Envelope<unknown>) => void
}

const unavailable = (message: string): Envelope<never> => ({
  ok: false,
  error: { kind: 'unavailable', message },
})

/** A reverse request's failure as it goes back to the host: the kind when it has one, else unavailable. */
function replyError(e: unknown): WireError {
  const kind = (e as { kind?: unknown })?.kind
  const message = e instanceof Error ? e.message : String(e)
  return { kind: isErrorKind(kind) ? kind : 'unavailable', message }
}

export function startHost(opts: HostClientOptions): HostClient {
  const delays = opts.restartDelaysMs ?? [200, 1000, 3000]
  const maxCrashes = opts.maxCrashes ?? 5
  const crashWindowMs = opts.crashWindowMs ?? 60_000
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000
  const log = opts.log ?? ((line: string) => console.error(line))

  let proc: HostProcess | undefined
  let state: ClientState = 'starting'
  let generation = 0
  let nextId = 1
  let restartTimer: ReturnType<typeof setTimeout> | undefined
  const pending = new Map<number, Waiting>()
  const queued: Waiting[] = []
  const jobs = new Map<string, JobKind>()
  const listeners = new Set<(e: HostEvent) => void>()
  const readyWaiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>()
  let crashes: number[] = []
  let exited: (() => void) | undefined

  const publish = (e: HostEvent): void => {
    for (const fn of listeners) {
      try {
        fn(e)
      } catch (err) {
        log(`berth: a host event listener failed: ${(err as Error).message}`)
      }
    }
  }

  const setState = (s: ClientState, message?: string): void => {
    state = s
    if (s === 'ready') for (const w of readyWaiters) w.resolve()
    if (s === 'failed' || s === 'stopped') {
      for (const w of readyWaiters) w.reject(new Error(`the store host ${s}${message ? `: ${message}` : ''}`))
    }
    if (s === 'ready' || s === 'failed' || s === 'stopped') readyWaiters.clear()
    if (s === 'stopped') return
    publish({
      type: 'event',
      event: 'host.state',
      payload: { state: s, ...(message ? { message } : {}), at: new Date().toISOString() },
    })
  }

  const send = (w: Waiting): void => {
    const id = nextId++
    pending.set(id, w)
    try {
      proc!.send({ type: 'call', id, channel: w.channel, args: w.args })
    } catch (e) {
      pending.delete(id)
      w.resolve(unavailable(`the store host could not take the call: ${(e as Error).message}`))
    }
  }

  const failQueued = (message: string): void => {
    for (const w of queued.splice(0)) w.resolve(unavailable(message))
  }

  function answer(p: HostProcess, id: number, method: ReverseMethod, args: unknown[]): void {
    const fn = opts.reverse[method] as (...a: unknown[]) => unknown
    Promise.resolve()
      .then(() => fn(...args))
      .then(
        (value) => ({ ok: true as const, value }),
        (e: unknown) => ({ ok: false as const, error: replyError(e) }),
      )
      .then((envelope) => {
        try {
          p.send({ type: 'reply', id, envelope })
        } catch {
          // The host died meanwhile: nobody is waiting for this answer any more.
        }
      })
  }

  function onMessage(p: HostProcess, m: unknown, readyTimer: ReturnType<typeof setTimeout>): void {
    if (!isFromHost(m)) {
      log('berth: ignored a malformed message from the store host')
      return
    }
    switch (m.type) {
      case 'ready':
        clearTimeout(readyTimer)
        setState('ready')
        for (const w of queued.splice(0)) send(w)
        return
      case 'fatal':
        log(`berth: the store host could not start: ${m.error.message}`)
        lastFatal = m.error.message
        return
      case 'result': {
        const w = pending.get(m.id)
        if (!w) return
        pending.delete(m.id)
        const v = m.envelope.ok ? (m.envelope.value as { id?: unknown; kind?: unknown }) : null
        if (v && JOB_CHANNELS.includes(w.channel) && typeof v.id === 'string') {
          jobs.set(v.id, v.kind as JobKind)
        }
        w.resolve(m.envelope)
        return
      }
      case 'event':
        if (m.event === 'job.progress') jobs.set(m.payload.id, m.payload.kind)
        if (m.event === 'job.done') jobs.delete(m.payload.id)
        publish(m)
        return
      case 'request':
        answer(p, m.id, m.method, m.args)
        return
    }
  }

  let lastFatal: string | undefined

  function onExit(why: string): void {
    proc = undefined
    const reason = lastFatal ?? why
    lastFatal = undefined
    for (const [id, w] of pending) {
      pending.delete(id)
      w.resolve(
        unavailable(
          state === 'stopped'
            ? 'the store is closing'
            : `the store host stopped (${reason}) before answering ${w.channel}; it is restarting, try again`,
        ),
      )
    }
    for (const [id, kind] of jobs) {
      publish({
        type: 'event',
        event: 'job.done',
        payload: {
          id,
          kind,
          ok: false,
          error: {
            kind: 'unavailable',
            message: `the store host stopped (${reason}); the ${kind} did not finish`,
          },
        },
      })
    }
    jobs.clear()
    if (state === 'stopped') {
      exited?.()
      return
    }
    const now = Date.now()
    crashes = [...crashes.filter((t) => now - t < crashWindowMs), now]
    if (crashes.length >= maxCrashes) {
      const message = `the store host stopped ${crashes.length} times in a row (last: ${reason})`
      log(`berth: ${message}; not starting it again`)
      setState('failed', message)
      failQueued(message)
      return
    }
    log(`berth: the store host stopped (${reason}); starting it again`)
    setState('restarting', `the store host stopped (${reason})`)
    const delay = delays[Math.min(crashes.length - 1, delays.length - 1)] ?? 0
    restartTimer = setTimeout(spawn, delay)
  }

  function spawn(): void {
    restartTimer = undefined
    if (state === 'stopped') return
    const gen = ++generation
    let p: HostProcess
    try {
      p = opts.launch()
    } catch (e) {
      const message = `the store host could not be started: ${(e as Error).message}`
      log(`berth: ${message}`)
      setState('failed', message)
      failQueued(message)
      return
    }
    proc = p
    const readyTimer = setTimeout(() => {
      if (gen === generation && state !== 'ready') {
        lastFatal = `not ready after ${readyTimeoutMs} ms`
        p.kill()
      }
    }, readyTimeoutMs)
    p.onMessage((m) => {
      if (gen === generation) onMessage(p, m, readyTimer)
    })
    p.onExit((why) => {
      clearTimeout(readyTimer)
      if (gen === generation) onExit(why)
    })
    try {
      p.send({ type: 'init', config: opts.config })
    } catch {
      // It died at once; onExit restarts it.
    }
  }

  spawn()

  const onEvent = (fn: (e: HostEvent) => void): (() => void) => {
    listeners.add(fn)
    return () => void listeners.delete(fn)
  }

  return {
    call(channel, args) {
      return new Promise((resolve) => {
        const w: Waiting = { channel, args, resolve }
        if (state === 'failed') resolve(unavailable('the store host is not running: restart Berth'))
        else if (state === 'stopped') resolve(unavailable('the store is closing'))
        else if (state === 'ready' && proc) send(w)
        else queued.push(w)
      })
    },
    on(event, fn) {
      return onEvent((e) => {
        if (e.event === event) (fn as (p: unknown) => void)(e.payload)
      })
    },
    onEvent,
    state: () => state,
    pid: () => proc?.pid,
    ready() {
      if (state === 'ready') return Promise.resolve()
      if (state === 'failed' || state === 'stopped')
        return Promise.reject(new Error(`the store host ${state}`))
      return new Promise((resolve, reject) => readyWaiters.add({ resolve, reject }))
    },
    stop() {
      if (state === 'stopped') return Promise.resolve()
      clearTimeout(restartTimer)
      setState('stopped')
      failQueued('the store is closing')
      const p = proc
      if (!p) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => p.kill(), stopTimeoutMs)
        exited = () => {
          clearTimeout(timer)
          resolve()
        }
        try {
          p.send({ type: 'stop' })
        } catch {
          p.kill()
        }
      })
    },
  }
}
