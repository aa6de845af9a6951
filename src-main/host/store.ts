// The store as the host runs it: opened once, with the use cases, the jobs, the watcher that notices
// other processes' writes (the berth CLI) and the keeper of the layout's index.json. Registry secrets
// are encrypted by the parent (safeStorage lives in Electron main), so the credential store's cipher
// is a pair of reverse requests.
import { join } from 'node:path'
import type { AppInfo, EventName, Events } from '../../src-preload/api'
import { formatAll, hostPlatform } from '../core/platforms'
import { dockerConfigSource, FileCredentialStore, type Cipher } from '../core/transfer/registry/credentials'
import { openBerth } from '../service/berth'
import { createHandlers } from '../service/index'
import { keepLayoutIndex } from '../service/layout-index'
import { coreTransfer } from '../service/transfer'
import { watchDataVersion } from '../service/watch'
import { createDispatch, type Dispatch } from './dispatch'
import type { HostConfig, ReverseRequests, ReverseMethod } from './protocol'

export type Request = <M extends ReverseMethod>(
  method: M,
  ...args: ReverseRequests[M]['args']
) => Promise<ReverseRequests[M]['result']>

export interface RunningStore {
  dispatch: Dispatch
  /** Cancels running jobs, waits a moment for them to clean up, and closes the store. */
  close(): Promise<void>
}

export function openStore(
  config: HostConfig,
  emit: <E extends EventName>(event: E, payload: Events[E]) => void,
  request: Request,
): RunningStore {
  const berth = openBerth({ root: config.root, ...(config.platform ? { host: config.platform } : {}) })
  const cipher: Cipher = {
    encrypt: (plain) => request('cipher.encrypt', plain),
    decrypt: (data) => request('cipher.decrypt', data),
  }
  const appInfo = (): AppInfo => ({
    ...config.app,
    storePath: berth.root,
    hostPlatform: formatAll(config.platform ?? hostPlatform()),
  })
  const handlers = createHandlers(berth, {
    emit,
    appInfo,
    transfer: coreTransfer,
    registry: {
      logins: new FileCredentialStore(join(berth.root, 'logins.json'), cipher),
      sources: config.dockerConfig ? [dockerConfigSource()] : [],
      ...(config.transport ? { transport: config.transport } : {}),
    },
  })
  const layoutIndex = keepLayoutIndex(berth)
  const watcher = watchDataVersion(join(berth.root, 'berth.db'), () => {
    emit('store.changed', { source: 'external', at: new Date().toISOString() })
    layoutIndex.poke()
  })
  let closed = false
  return {
    dispatch: createDispatch(handlers),
    async close() {
      if (closed) return
      closed = true
      watcher.stop()
      layoutIndex.stop()
      // Cancelled imports and pulls remove their half-written ingests; give them a moment.
      if (handlers.jobs.cancelAll() > 0) {
        const until = Date.now() + 2000
        while (handlers.jobs.active > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
      }
      // The containerd daemons' connections and event streams, and their mirrors' databases.
      handlers.sources.close()
      berth.close()
    },
  }
}
