// Exposes `window.berth`, built generically from the contract's channel list: one `invoke` for every
// call and `on`/`off` for every event. Nothing of Electron itself reaches the page. The preload runs
// sandboxed, so it is bundled as CommonJS and may require only 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { ipcName, isChannel, isEventName, type BerthBridge, type Envelope, type EventName } from './api'

type Listener = (payload: unknown) => void
const wrapped = new Map<EventName, Map<Listener, (e: IpcRendererEvent, p: unknown) => void>>()

const bridge: BerthBridge = {
  async invoke(channel, ...args) {
    if (!isChannel(channel)) {
      return { ok: false, error: { kind: 'invalid-argument', message: `unknown channel ${String(channel)}` } }
    }
    try {
      return (await ipcRenderer.invoke(ipcName(channel), ...args)) as Envelope<never>
    } catch (e) {
      // Only an arguments object the structured clone refuses gets here: main always answers an envelope.
      return { ok: false, error: { kind: 'invalid-argument', message: (e as Error).message } }
    }
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`)
    let byListener = wrapped.get(event)
    if (!byListener) wrapped.set(event, (byListener = new Map()))
    if (!byListener.has(listener as Listener)) {
      const w = (_e: IpcRendererEvent, payload: unknown): void => (listener as Listener)(payload)
      byListener.set(listener as Listener, w)
      ipcRenderer.on(ipcName(event), w)
    }
    return () => bridge.off(event, listener)
  },
  off(event, listener) {
    const w = wrapped.get(event)?.get(listener as Listener)
    if (!w) return
    ipcRenderer.removeListener(ipcName(event), w)
    wrapped.get(event)?.delete(listener as Listener)
  },
}

contextBridge.exposeInMainWorld('berth', bridge)
