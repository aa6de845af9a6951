// Labels on the command line, as ctr spells them: KEY=VALUE sets, KEY= (or a bare KEY) removes; the
// result prints as KEY=VALUE,KEY=VALUE in key order.
import { validateLabel } from '../core/labels'
import type { LabelChanges } from '../../src-preload/api'
import { usage } from './usage'

function split(a: string): [string, string] {
  const i = a.indexOf('=')
  const k = i < 0 ? a : a.slice(0, i)
  if (k === '') throw usage(`label ${JSON.stringify(a)}: the key is empty (want KEY=VALUE)`)
  return [k, i < 0 ? '' : a.slice(i + 1)]
}

/** Pairs as changes: a value sets its key, an empty one removes it. */
export function labelChanges(args: string[]): LabelChanges {
  const out = new Map<string, string | null>()
  for (const a of args) {
    const [k, v] = split(a)
    if (v !== '') validateLabel(k, v)
    out.set(k, v === '' ? null : v)
  }
  // Own keys throughout: `__proto__=x` is a label like any other (plain assignment would drop it).
  return Object.fromEntries(out)
}

/** Pairs to set (import --label): an empty value is kept out, as the stores drop it. */
export function labelArgs(args: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labelChanges(args)).filter((e): e is [string, string] => e[1] !== null),
  )
}

/** The labels as one line, or nothing when there are none. */
export function labelsLine(labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
  return pairs.length ? `${pairs.join(',')}\n` : ''
}
