// Binds the contract: for each channel, validate the arguments against its schema, call the use case,
// and answer an envelope — {ok, value} or {ok: false, error: {kind, message}}. Nothing thrown in main
// ever reaches Electron's own error path, and a malformed call can only ever be 'invalid-argument'.
// The same dispatch serves Electron's ipcMain and the test-only HTTP bridge.
import type { IpcMain } from 'electron'
import { CHANNELS, ipcName, isChannel, type Channel, type Envelope } from '../src-preload/api'
import type { Handlers } from './service/index'
import { toWireError } from './service/errors'
import { SCHEMAS } from './schemas'

export type Dispatch = (channel: unknown, args: unknown) => Promise<Envelope<unknown>>

export function createDispatch(handlers: Handlers): Dispatch {
  return async (channel, args) => {
    if (!isChannel(channel)) {
      return {
        ok: false,
        error: { kind: 'invalid-argument', message: `unknown channel ${String(channel).slice(0, 80)}` },
      }
    }
    let checked: unknown[]
    try {
      checked = SCHEMAS[channel](args, channel)
    } catch (e) {
      return { ok: false, error: toWireError(e) }
    }
    try {
      const fn = handlers[channel] as (...a: unknown[]) => Promise<unknown>
      return { ok: true, value: await fn(...checked) }
    } catch (e) {
      return { ok: false, error: toWireError(e) }
    }
  }
}

/** Registers one ipcMain handler per channel; returns a function that removes them all. */
export function bindIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  isTrustedSender: (frameUrl: string | undefined) => boolean,
): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(ipcName(channel), (event, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame?.url)) {
        return {
          ok: false,
          error: { kind: 'failed-precondition', message: 'call from an untrusted frame refused' },
        }
      }
      return dispatch(channel, args)
    })
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(ipcName(channel as Channel))
  }
}
