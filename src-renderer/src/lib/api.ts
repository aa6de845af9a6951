// The renderer's side of the bridge: unwraps envelopes and rebuilds errors as ApiError, so views write
// `await call('images.list', …)` and catch by kind. Only TYPES come from the contract.
import type {
  Channel,
  ChannelArgs,
  ChannelResult,
  ErrorKind,
  EventName,
  Events,
} from '../../../src-preload/api'

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export async function call<C extends Channel>(
  channel: C,
  ...args: ChannelArgs<C>
): Promise<ChannelResult<C>> {
  const r = await window.berth.invoke(channel, ...args)
  if (r.ok) return r.value
  throw new ApiError(r.error.kind, r.error.message)
}

export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return window.berth.on(event, listener)
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
