// Main as a broker: every call from the renderer is checked here and then either answered by main
// itself (the native dialogs) or forwarded to the store host. Electron-free, so the e2e bridge, which
// plays main in tests, brokers through this same code; Electron's pieces (dialogs, the host handle)
// are passed in.
//
// In order: the channel must exist; its arguments must match the channel's schema; a path must have
// been granted by a dialog for that channel's purpose; an insecure registry must have been confirmed
// by the user for that host. Anything refused is an envelope naming why; nothing reaches the host.
import { isChannel, type ChannelArgs, type Envelope, type ErrorKind } from '../../src-preload/api'
import { isBerthError } from '../core/errors'
import { checkArgs } from './check-args'
import type { InsecureHosts } from './insecure-hosts'
import { INSECURE_RULES } from './insecure-hosts'
import { PATH_RULES, type PathGrants } from './path-grants'

export type Dispatch = (channel: unknown, args: unknown) => Promise<Envelope<unknown>>

/** Main's native dialogs; each resolves to the chosen path, or null when the user cancels. */
export interface NativeDialogs {
  openFile(req: ChannelArgs<'dialogs.openFile'>[0]): Promise<string | null>
  saveFile(req: ChannelArgs<'dialogs.saveFile'>[0]): Promise<string | null>
}

export interface BrokerDeps {
  /** Sends a checked call to the store host; always settles with an envelope. */
  forward(channel: string, args: unknown[]): Promise<Envelope<unknown>>
  dialogs: NativeDialogs
  grants: PathGrants
  insecure: InsecureHosts
}

const refuse = (kind: ErrorKind, message: string): Envelope<never> => ({
  ok: false,
  error: { kind, message },
})

export function createBroker(deps: BrokerDeps): Dispatch {
  return async (channel, args) => {
    if (!isChannel(channel))
      return refuse('invalid-argument', `unknown channel ${String(channel).slice(0, 80)}`)
    let checked: unknown[]
    try {
      checked = checkArgs(channel, args)
    } catch (e) {
      return refuse('invalid-argument', (e as Error).message)
    }
    try {
      if (channel === 'dialogs.openFile' || channel === 'dialogs.saveFile') {
        const open = channel === 'dialogs.openFile'
        const req = checked[0] as ChannelArgs<'dialogs.saveFile'>[0]
        const path = open ? await deps.dialogs.openFile(req) : await deps.dialogs.saveFile(req)
        if (path !== null) deps.grants.grant(path, open ? 'open' : 'save')
        return { ok: true, value: path }
      }
      const req = checked[0] as Record<string, unknown>
      const rule = PATH_RULES[channel]
      if (rule) {
        const path = req[rule.field]
        if (typeof path !== 'string' || !deps.grants.take(path, rule.purpose)) {
          return refuse(
            'failed-precondition',
            `${channel}: the path was not chosen in Berth's ${rule.purpose === 'open' ? 'Open' : 'Save'} dialog ` +
              '(choose the file again)',
          )
        }
      }
      const hostOf = INSECURE_RULES[channel]
      if (hostOf && req.insecure === true) await deps.insecure.require(hostOf(req))
    } catch (e) {
      if (isBerthError(e)) return refuse(e.kind, e.message)
      return refuse('unavailable', (e as Error).message)
    }
    return deps.forward(channel, checked)
  }
}
