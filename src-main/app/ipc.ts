// Binds the contract to Electron's ipcMain: one handler per channel, each answering with the broker's
// envelope ({ok, value} or {ok: false, error: {kind, message}}), so nothing thrown in main ever reaches
// Electron's own error path. Calls from any frame but the app's own are refused.
import type { IpcMain } from 'electron'
import { CHANNELS, ipcName, type Channel } from '../../src-preload/api'
import type { Dispatch } from './broker'

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
