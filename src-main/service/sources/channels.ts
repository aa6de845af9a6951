// Sources in the contract: the sources.* channels, images.copy, and the routing that sends every image
// and content call to the active source — Berth's own handlers, or a containerd source's.
import type { ChannelArgs } from '../../../src-preload/api'
import type { ServiceContext } from '../context'
import type { Handlers } from '../index'
import type { JobBody, JobKind } from '../jobs'
import type { JobRef } from '../../../src-preload/api'
import { copyJob } from './copy'
import { SOURCE_CHANNELS, type SourceChannel } from './handlers'
import type { Sources } from './registry'

export type SourcesChannel =
  'sources.list' | 'sources.add' | 'sources.remove' | 'sources.switch' | 'sources.daemon' | 'images.copy'

type Local = Omit<Handlers, SourcesChannel>

export function withSources(
  ctx: ServiceContext,
  local: Local,
  sources: Sources,
  job: (kind: JobKind, body: JobBody) => JobRef,
): Handlers {
  const routed = { ...local } as Record<SourceChannel, unknown>
  for (const ch of SOURCE_CHANNELS) {
    routed[ch] = (...args: unknown[]) => {
      const ns = (args[0] as { namespace?: string } | undefined)?.namespace
      const h = sources.active(ns) ?? local
      return (h[ch] as (...a: unknown[]) => unknown)(...args)
    }
  }
  return {
    ...(routed as Local),
    'sources.list': async () => sources.list(),
    'sources.add': (req) => sources.add(req),
    'sources.remove': async (req) => ({ removed: sources.remove(req.id) }),
    'sources.switch': (req) => sources.switch(req.id),
    'sources.daemon': (req) => sources.daemon(req.address),
    'images.copy': async (req: ChannelArgs<'images.copy'>[0]) =>
      job(
        'copy',
        copyJob(ctx, (id) => sources.open(id).source, req),
      ),
  }
}
