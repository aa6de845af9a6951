// Main's IPC binding and reads the renderer gave up on: a details load still running when its page goes
// away (window closed, page reloaded, renderer crashed) is ended with calls.cancel, as the page itself
// would have done had it lived. Electron's ipcMain and WebContents are played by plain objects with the
// same methods (no Electron binary here); the dispatch is main's real broker over a real store's handlers.
import { EventEmitter } from 'node:events'
import type { IpcMain } from 'electron'
import { describe, expect, it } from 'vitest'
import type { Envelope } from '../../src-preload/api'
import { bindIpc } from '../../src-main/app/ipc'
import { ipcName } from '../../src-preload/api'

type Handler = (event: unknown, ...args: unknown[]) => Promise<Envelope<unknown>>

function fakeIpcMain() {
  const handlers = new Map<string, Handler>()
  const ipc: Pick<IpcMain, 'handle' | 'removeHandler'> = {
    handle: (name, fn) => void handlers.set(name, fn as Handler),
    removeHandler: (name) => void handlers.delete(name),
  }
  return Object.assign(ipc, { handlers })
}

/** A dispatch that holds images.details until cancelled, and records every call. */
function holdingDispatch() {
  const calls: { channel: unknown; args: unknown }[] = []
  const held = new Map<string, (e: Envelope<unknown>) => void>()
  const dispatch = async (channel: unknown, args: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, args })
    const ticket = (args as [{ ticket?: string }])[0]?.ticket
    if (channel === 'images.details' && ticket) {
      return new Promise((resolve) => held.set(ticket, resolve))
    }
    if (channel === 'calls.cancel') {
      const t = (args as [{ ticket: string }])[0].ticket
      held.get(t)?.({ ok: false, error: { kind: 'cancelled', message: 'cancelled' } })
      return { ok: true, value: { cancelled: held.delete(t) } }
    }
    return { ok: true, value: null }
  }
  return { dispatch, calls, held }
}

const cancels = (calls: { channel: unknown; args: unknown }[]) =>
  calls.filter((c) => c.channel === 'calls.cancel').map((c) => (c.args as [{ ticket: string }])[0].ticket)

describe('bindIpc and tickets', () => {
  for (const gone of ['destroyed', 'did-navigate', 'render-process-gone']) {
    it(`ends the page's running ticketed reads when it emits ${gone}, and only those`, async () => {
      const ipc = fakeIpcMain()
      const { dispatch, calls } = holdingDispatch()
      bindIpc(ipc, dispatch, () => true)
      const page = new EventEmitter()
      const other = new EventEmitter()
      const details = ipc.handlers.get(ipcName('images.details'))!
      const ask = (sender: EventEmitter, ticket: string) =>
        details({ sender, senderFrame: { url: 'app://berth/' } }, { namespace: 'default', name: 'a', ticket })
      const a = ask(page, 'page-1')
      const b = ask(other, 'other-1')
      await Promise.resolve()
      expect(cancels(calls)).toEqual([])
      page.emit(gone)
      expect(await a).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
      expect(cancels(calls)).toEqual(['page-1'])
      // A second event of the same page finds nothing left to end.
      page.emit('destroyed')
      expect(cancels(calls)).toEqual(['page-1'])
      other.emit('destroyed')
      expect(await b).toMatchObject({ ok: false, error: { kind: 'cancelled' } })
      expect(cancels(calls)).toEqual(['page-1', 'other-1'])
    })
  }

  it('does not cancel a read that already answered', async () => {
    const ipc = fakeIpcMain()
    const { dispatch, calls, held } = holdingDispatch()
    bindIpc(ipc, dispatch, () => true)
    const page = new EventEmitter()
    const details = ipc.handlers.get(ipcName('images.details'))!
    const a = details(
      { sender: page, senderFrame: { url: 'app://berth/' } },
      { namespace: 'default', name: 'a', ticket: 't' },
    )
    await Promise.resolve()
    held.get('t')!({ ok: true, value: 'details' })
    expect(await a).toEqual({ ok: true, value: 'details' })
    page.emit('destroyed')
    expect(cancels(calls)).toEqual([])
    expect(page.listenerCount('destroyed')).toBe(0)
  })
})
