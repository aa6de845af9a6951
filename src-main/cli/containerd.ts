// `berth --address SOCKET images …` on a running containerd. The image commands (images.ts,
// images-ls.ts) parse and print as they do for Berth's store; what they read or change comes from here
// when --address is given, through the same use cases as the app's containerd source (service/sources):
// the list from the source's mirror and summaries after one sync, filters answered by the daemon's List,
// check and inspect over the mirror, label/tag/rm on the daemon. `images send` and `images receive`
// copy between Berth's store and the daemon (containerd's default socket without --address).
import { listImages as daemonImages } from '../core/containerd/images'
import type { Image } from '../core/images/store'
import { validateNamespace } from '../core/namespace'
import type { ServiceContext } from '../service/context'
import { listImages } from '../service/images-list'
import type { Removal } from '../service/remove'
import { copyImages, planCopy } from '../service/sources/copy'
import { remove, setLabels, tag } from '../service/sources/daemon-writes'
import { BERTH_SOURCE, type ImageSummary, type LabelChanges } from '../../src-preload/api'
import { flag, platformFlag, positional, str, strs, type Parsed } from './args'
import { printJSON, type CommandContext } from './io'
import { progressSink } from './progress'
import { usage } from './usage'

/**
 * Where check and inspect read: Berth's store, or the daemon's mirror just brought up to date — its blob
 * records too, since what they answer is which blobs the daemon holds, and a blob can go (`ctr content
 * rm`) while every image record stays as it was.
 */
export async function readPlace(ctx: CommandContext): Promise<ServiceContext> {
  if (ctx.address === undefined) return ctx.berth()
  const src = await ctx.containerd()
  await src.fresh(ctx.namespace, { content: 'always' })
  return src.ctx
}

/** Names matching any filter, as the daemon's List answers (`ls -q`: no mirror needed). */
export async function daemonNames(ctx: CommandContext, filters: string[]): Promise<string[]> {
  const src = await ctx.containerd()
  return (await daemonImages(src.conn, validateNamespace(ctx.namespace), filters)).map((i) => i.name)
}

/** The summaries of the images the daemon's List matches (any filter; none: every image). */
export async function daemonSummaries(ctx: CommandContext, filters: string[]): Promise<ImageSummary[]> {
  const ns = validateNamespace(ctx.namespace)
  const src = await ctx.containerd()
  await src.fresh(ns)
  const matching = filters.length && !filters.includes('') ? new Set(await daemonNames(ctx, filters)) : null
  const page = await listImages(
    src.ctx,
    { namespace: ns, limit: Number.MAX_SAFE_INTEGER },
    matching ? { only: matching } : {},
  )
  return page.items
}

export async function daemonLabel(
  ctx: CommandContext,
  name: string,
  changes: LabelChanges,
  replace: boolean,
): Promise<Image> {
  return setLabels(await ctx.containerd(), ctx.namespace, name, changes, { replace })
}

export async function daemonTag(
  ctx: CommandContext,
  source: string,
  targets: string[],
  opts: { force: boolean; literal: boolean },
): Promise<Image[]> {
  return tag(await ctx.containerd(), ctx.namespace, source, targets, opts)
}

export async function daemonRemove(ctx: CommandContext, names: string[], sync: boolean): Promise<Removal> {
  return remove(await ctx.containerd(), ctx.namespace, names, { sync })
}

/** send: Berth's store → the daemon; receive: the daemon → Berth's store. */
async function copy(ctx: CommandContext, p: Parsed, direction: 'send' | 'receive'): Promise<void> {
  const command = `images ${direction}`
  const names = positional(p, command, 1, Infinity, 'name at least one image')
  const platforms = strs(p, 'platform')
  if (flag(p, 'all-platforms') && platforms.length)
    throw usage(`${command}: --all-platforms and --platform exclude each other`, command)
  for (const x of platforms) platformFlag(x, command)
  const DAEMON = 'containerd'
  const here = { source: direction === 'send' ? BERTH_SOURCE : DAEMON, namespace: ctx.namespace }
  const there = {
    source: direction === 'send' ? DAEMON : BERTH_SOURCE,
    namespace: str(p, 'to-namespace') ?? ctx.namespace,
  }
  const daemon = await ctx.containerd()
  // Only the connection: the CLI has no list open whose mirror a copy would have to keep current.
  const plan = planCopy(ctx.berth(), () => ({ conn: daemon.conn }), {
    from: here,
    to: there,
    names,
    platforms,
  })
  const verb = direction === 'send' ? 'sending' : 'receiving'
  const progress = progressSink(verb, ctx.stderr, flag(p, 'no-progress') || ctx.json)
  const copied = await copyImages(plan, ctx.signal, (phase, done, total) =>
    progress.update({ current: phase, bytesDone: done, bytesTotal: total }),
  ).finally(() => progress.done())
  if (ctx.json) return printJSON(ctx, { images: copied, to: there, address: daemon.address })
  ctx.err(`berth: ${direction === 'send' ? 'sent to' : 'received from'} containerd at ${daemon.address}\n`)
  ctx.out(copied.map((n) => `${n}\n`).join(''))
}

export const send = (ctx: CommandContext, p: Parsed): Promise<void> => copy(ctx, p, 'send')
export const receive = (ctx: CommandContext, p: Parsed): Promise<void> => copy(ctx, p, 'receive')
