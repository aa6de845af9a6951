// Binds the contract to Electron's ipcMain: one handler per channel, each answering with the broker's
// envelope ({ok, value} or {ok: false, error: {kind, message}}), so nothing thrown in main ever reaches
// Electron's own error path. Calls from any frame but the app's own are refused.
//
// A read that carries a ticket (images.details) is ended by calls.cancel when the page that asked goes
// away without saying so: the window closed, the page reloaded or navigated, or its renderer crashed.
import type { IpcMain } from 'electron'
import { CHANNELS, ipcName, type Channel } from '../../src-preload/api'
import type { Dispatch } from './broker'

/** The parts of a WebContents this needs: its lifecycle events. */
interface Page {
  once(event: PageGone, fn: () => void): unknown
  removeListener(event: PageGone, fn: () => void): unknown
}
type PageGone = 'destroyed' | 'did-navigate' | 'render-process-gone'
const PAGE_GONE: PageGone[] = ['destroyed', 'did-navigate', 'render-process-gone']

const ticketOf = (args: unknown[]): string | undefined => {
  const t = (args[0] as { ticket?: unknown } | null | undefined)?.ticket
  return typeof t === 'string' ? t : undefined
}

/** Registers one ipcMain handler per channel; returns a function that removes them all. */
export function bindIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  isTrustedSender: (frameUrl: string | undefined) => boolean,
): () => void {
  const running = new Map<Page, Set<string>>()

  const watch = (page: Page, ticket: string): (() => void) => {
    let tickets = running.get(page)
    if (!tickets) {
      const set = new Set<string>()
      running.set(page, (tickets = set))
      const gone = (): void => {
        for (const ev of PAGE_GONE) page.removeListener(ev, gone)
        running.delete(page)
        for (const t of set) void dispatch('calls.cancel', [{ ticket: t }])
      }
      for (const ev of PAGE_GONE) page.once(ev, gone)
    }
    tickets.add(ticket)
    return () => void tickets.delete(ticket)
  }

  for (const channel of CHANNELS) {
    ipcMain.handle(ipcName(channel), async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame?.url)) {
        return {
          ok: false,
          error: { kind: 'failed-precondition', message: 'call from an untrusted frame refused' },
        }
      }
      const ticket = ticketOf(args)
      if (ticket === undefined || channel === 'calls.cancel') return dispatch(channel, args)
      const done = watch(event.sender as unknown as Page, ticket)
      try {
        return await dispatch(channel, args)
      } finally {
        done()
      }
    })
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(ipcName(channel as Channel))
  }
}
