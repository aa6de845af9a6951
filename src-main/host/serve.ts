// The host's message loop: one init, then calls answered through the dispatch, events pushed, reverse
// requests sent to the parent and matched with their replies. A store that cannot open is reported as
// 'fatal' and the process ends, so the parent sees a failed start rather than a host that never answers.
import type { EventName, Events, WireError } from '../../src-preload/api'
import { BerthError, ERROR_KINDS, type ErrorKind } from '../core/errors'
import { toWireError } from '../service/errors'
import type { ParentPort } from './port'
import { isToHost, type ReverseMethod, type ReverseRequests } from './protocol'
import { openStore, type Request, type RunningStore } from './store'

/** A parent that does not answer a reverse request within this long has a problem of its own. */
const REQUEST_TIMEOUT_MS = 120_000

export function serveHost(port: ParentPort, exit: (code: number) => void = (c) => process.exit(c)): void {
  let store: RunningStore | undefined
  let nextRequest = 1
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()

  const emit = <E extends EventName>(event: E, payload: Events[E]): void =>
    port.send({ type: 'event', event, payload } as never)

  const request: Request = <M extends ReverseMethod>(method: M, ...args: ReverseRequests[M]['args']) =>
    new Promise<ReverseRequests[M]['result']>((resolve, reject) => {
      const id = nextRequest++
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new BerthError('unavailable', `the app did not answer ${method} in time`))
      }, REQUEST_TIMEOUT_MS)
      waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v as ReverseRequests[M]['result'])
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      port.send({ type: 'request', id, method, args })
    })

  const shutdown = async (code: number): Promise<void> => {
    const s = store
    store = undefined
    try {
      await s?.close()
    } finally {
      exit(code)
    }
  }

  port.onMessage((m) => {
    if (!isToHost(m)) return
    switch (m.type) {
      case 'init':
        if (store) return
        try {
          store = openStore(m.config, emit, request)
        } catch (e) {
          port.send({ type: 'fatal', error: toWireError(e) })
          exit(1)
          return
        }
        port.send({ type: 'ready' })
        return
      case 'call': {
        const s = store
        if (!s) {
          port.send({
            type: 'result',
            id: m.id,
            envelope: { ok: false, error: { kind: 'unavailable', message: 'the store is not open yet' } },
          })
          return
        }
        void s
          .dispatch(m.channel, m.args)
          .then((envelope) => port.send({ type: 'result', id: m.id, envelope }))
        return
      }
      case 'reply': {
        const w = waiting.get(m.id)
        if (!w) return
        waiting.delete(m.id)
        if (m.envelope.ok) w.resolve(m.envelope.value)
        else w.reject(rebuild(m.envelope.error))
        return
      }
      case 'stop':
        void shutdown(0)
        return
    }
  })
  port.onDisconnect(() => void shutdown(0))
}

/** The parent's refusal as the error the core would throw, kind kept (a refused keychain stays 'failed-precondition'). */
function rebuild(e: WireError): Error {
  return (ERROR_KINDS as readonly string[]).includes(e.kind)
    ? new BerthError(e.kind as ErrorKind, e.message)
    : Object.assign(new Error(e.message), { kind: e.kind })
}
