// Reads the renderer may give up on. A call that carries a ticket runs with an AbortSignal that
// `calls.cancel` with the same ticket aborts, so the host stops work (decompressing layers to learn
// their sizes) that nobody will look at once the view that asked has gone. Calls and cancels travel
// separately, so a cancel may overtake its call: a ticket cancelled before its call started is
// remembered (a bounded number of them) and that call answers 'cancelled' without starting.
import { invalidArgument } from '../core/errors'
import { CancelledError } from './errors'

/** Cancels remembered for calls that have not arrived yet; the oldest is forgotten first. */
const EARLY_LIMIT = 1024

export interface Tickets {
  /** Runs `fn` with a signal that cancel(ticket) aborts; without a ticket, with none. */
  run<T>(ticket: string | undefined, fn: (signal?: AbortSignal) => Promise<T>): Promise<T>
  /** True when a call with this ticket was running and is now told to stop. */
  cancel(ticket: string): boolean
}

export function createTickets(): Tickets {
  const running = new Map<string, AbortController>()
  const early = new Set<string>()
  const cancelled = () => new CancelledError('cancelled: the view that asked for this has gone')

  return {
    async run(ticket, fn) {
      if (ticket === undefined) return fn()
      if (early.delete(ticket)) throw cancelled()
      if (running.has(ticket)) throw invalidArgument(`ticket ${JSON.stringify(ticket)} is already in use`)
      const ac = new AbortController()
      running.set(ticket, ac)
      try {
        const value = await fn(ac.signal)
        if (ac.signal.aborted) throw cancelled()
        return value
      } catch (e) {
        throw ac.signal.aborted ? cancelled() : e
      } finally {
        if (running.get(ticket) === ac) running.delete(ticket)
      }
    },
    cancel(ticket) {
      const ac = running.get(ticket)
      if (ac) {
        running.delete(ticket)
        ac.abort()
        return true
      }
      early.add(ticket)
      if (early.size > EARLY_LIMIT) early.delete(early.values().next().value as string)
      return false
    },
  }
}
