// `berth images ls`: read from the service's image summaries (the app's list), so no blob is opened to
// list; `-q` reads names only. With --address, the summaries of the containerd daemon's mirror and the
// names its List answers (containerd.ts). Its own module, so that listing loads none of import, export
// or the registry client.
import { invalidArgument } from '../core/errors'
import type { Platform } from '../core/oci'
import { defaultMatcher, hostPlatform, type MatchComparer } from '../core/platforms'
import { listImageNames, listImages } from '../service/images-list'
import type { ImageSummary, PlatformChip } from '../../src-preload/api'
import { warnRegexps } from './filter-warnings'
import { flag, type Parsed } from './args'
import { printJSON, type CommandContext } from './io'
import { bytesBinary, columns, labelsColumn } from './table'

export interface ImageRow {
  name: string
  mediaType: string
  digest: string
  /** containerd's Image.Size for this machine's platform; null when no platform of the image matches. */
  size: number | null
  /** Every platform the image names (formatAll spelling), de-duplicated and sorted. */
  platforms: string[]
  /** present, partial (some blobs missing) or missing (the target itself). */
  status: ImageSummary['status']
  /** Bytes of every blob of the image that is in the store. */
  contentSize: number
  labels: Record<string, string>
  createdAt: string
  updatedAt: string
}

export function imageNames(ctx: CommandContext, filters: string[]): string[] {
  return listImageNames(ctx.berth(), ctx.namespace, filters)
}

/** Summaries matching any of `filters` (ParseAll: ORed), by name. */
async function summaries(ctx: CommandContext, filters: string[]): Promise<ImageSummary[]> {
  if (ctx.address !== undefined) return (await import('./containerd')).daemonSummaries(ctx, filters)
  const r = await listImages(ctx.berth(), {
    namespace: ctx.namespace,
    filters,
    limit: Number.MAX_SAFE_INTEGER,
  })
  if (r.filterError) throw invalidArgument(r.filterError.message)
  return r.items
}

const platformOf = (c: PlatformChip): Platform => ({
  os: c.os,
  architecture: c.architecture,
  ...(c.variant ? { variant: c.variant } : {}),
  ...(c.osVersion ? { osVersion: c.osVersion } : {}),
})

/**
 * ctr's SIZE: Image.Size for the host's default platform, i.e. the target plus the best-matching
 * manifest with its config and layers. The per-platform size comes with the chip; a summary written
 * before chips carried it falls back to the bytes of the image that are in the store.
 */
export function hostSize(s: ImageSummary, m: MatchComparer): number | null {
  const chips = s.platforms.filter((c) => m.match(platformOf(c)))
  if (chips.length === 0) return s.platforms.length === 0 ? s.size : null
  const best = chips.reduce((a, b) => (m.less(platformOf(b), platformOf(a)) ? b : a))
  const size = best.size
  if (size === undefined) return s.size
  return s.kind === 'index' ? s.targetSize + size : size
}

export async function imageRows(ctx: CommandContext, filters: string[]): Promise<ImageRow[]> {
  const m = defaultMatcher((ctx.address === undefined ? ctx.berth().host : undefined) ?? hostPlatform())
  return (await summaries(ctx, filters)).map((s) => ({
    name: s.name,
    mediaType: s.targetMediaType,
    digest: s.targetDigest,
    size: hostSize(s, m),
    platforms: [...new Set(s.platforms.map((c) => c.platform))].sort(),
    status: s.status,
    contentSize: s.size,
    labels: s.labels,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }))
}

export async function ls(ctx: CommandContext, p: Parsed): Promise<void> {
  warnRegexps(ctx, p.args)
  if (flag(p, 'quiet') && !ctx.json) {
    const names =
      ctx.address !== undefined
        ? await (await import('./containerd')).daemonNames(ctx, p.args)
        : imageNames(ctx, p.args)
    return ctx.out(names.map((n) => `${n}\n`).join(''))
  }
  const rows = await imageRows(ctx, p.args)
  if (ctx.json) return printJSON(ctx, rows)
  ctx.out(
    columns([
      ['REF', 'TYPE', 'DIGEST', 'SIZE', 'PLATFORMS', 'LABELS'],
      ...rows.map((r) => [
        r.name,
        r.mediaType,
        r.digest,
        r.size === null ? '-' : bytesBinary(r.size),
        r.platforms.length ? r.platforms.join(',') : '-',
        labelsColumn(r.labels),
      ]),
    ]),
  )
}
