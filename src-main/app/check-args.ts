// Checks a call's arguments against its channel's schema (src-preload/args.ts): main does it for every
// renderer call, the store host again for everything it serves. The first problem found is an
// InvalidArgument naming where it is, e.g. `images.list[0].limit: expected an integer in [0, 100000]`;
// a key from the caller is cut short in the path so a hostile one cannot make the message huge.
import * as v from 'valibot'
import type { Channel, ChannelArgs } from '../../src-preload/api'
import { ARGS } from '../../src-preload/args'
import { invalidArgument } from '../core/errors'

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/

function step(item: v.IssuePathItem): string {
  const key: unknown = item.key
  if (typeof key === 'number') return `[${key}]`
  const k = String(key)
  return IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k.slice(0, 40))}${k.length > 40 ? '…' : ''}]`
}

/** Stop at the first problem: nothing more is read of an argument already refused. */
const CONFIG = { abortEarly: true } as const

export function checkArgs<C extends Channel>(channel: C, args: unknown): ChannelArgs<C> {
  const r = v.safeParse(ARGS[channel], args, CONFIG)
  if (r.success) return r.output as ChannelArgs<C>
  const issue = r.issues[0]
  throw invalidArgument(`${channel}${(issue.path ?? []).map(step).join('')}: ${issue.message}`)
}
