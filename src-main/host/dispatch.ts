// One call of the contract, answered in process: check the arguments against the channel's schema,
// call the use case, answer an envelope ({ok, value} or {ok: false, error: {kind, message}}). The host
// serves every call through this, so even a parent that forwarded something unchecked cannot reach a
// use case with a malformed argument; tests that run the service in process use it too.
import { isChannel, type Envelope } from '../../src-preload/api'
import { checkArgs } from '../app/check-args'
import { toWireError } from '../service/errors'
import type { Handlers } from '../service/index'

export type Dispatch = (channel: unknown, args: unknown) => Promise<Envelope<unknown>>

export function createDispatch(handlers: Handlers): Dispatch {
  return async (channel, args) => {
    if (!isChannel(channel)) {
      return {
        ok: false,
        error: { kind: 'invalid-argument', message: `unknown channel ${String(channel).slice(0, 80)}` },
      }
    }
    try {
      const checked = checkArgs(channel, args)
      const fn = handlers[channel] as (...a: unknown[]) => Promise<unknown>
      return { ok: true, value: await fn(...checked) }
    } catch (e) {
      return { ok: false, error: toWireError(e) }
    }
  }
}
