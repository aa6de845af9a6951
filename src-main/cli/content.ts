// `berth content …`: ctr's content ls / label / get over the service's content use cases.
import { pipeline } from 'node:stream/promises'
import { invalidArgument } from '../core/errors'
import { contentInfo, readBlobStream } from '../service/content-blob'
import { listContent, setContentLabels } from '../service/content'
import type { ContentItem } from '../../src-preload/api'
import { flag, positional, type Parsed } from './args'
import { warnRegexps } from './filter-warnings'
import { printJSON, type CommandContext } from './io'
import { labelChanges, labelsLine } from './labels'
import { bytesBinary, columns, humanDuration, labelsColumn } from './table'

/** Blobs matching any of `filters` (containerd's ParseAll: ORed), in digest order. */
async function blobs(ctx: CommandContext, filters: string[]): Promise<ContentItem[]> {
  const b = ctx.berth()
  const byDigest = new Map<string, ContentItem>()
  for (const filter of filters.length && !filters.includes('') ? filters : [undefined]) {
    const page = await listContent(b, { namespace: ctx.namespace, filter, limit: Number.MAX_SAFE_INTEGER })
    if (page.filterError) throw invalidArgument(page.filterError.message)
    for (const i of page.items) byDigest.set(i.digest, i)
  }
  return [...byDigest.values()].sort((a, c) => (a.digest < c.digest ? -1 : a.digest > c.digest ? 1 : 0))
}

export async function ls(ctx: CommandContext, p: Parsed): Promise<void> {
  warnRegexps(ctx, p.args)
  const items = await blobs(ctx, p.args)
  if (ctx.json) {
    return printJSON(
      ctx,
      items.map((i) => ({
        digest: i.digest,
        size: i.size,
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
        labels: i.labels,
      })),
    )
  }
  if (flag(p, 'quiet')) return ctx.out(items.map((i) => `${i.digest}\n`).join(''))
  const now = Date.now()
  ctx.out(
    columns([
      ['DIGEST', 'SIZE', 'AGE', 'LABELS'],
      ...items.map((i) => [
        i.digest,
        bytesBinary(i.size),
        humanDuration(now - Date.parse(i.createdAt)),
        labelsColumn(i.labels),
      ]),
    ]),
  )
}

export async function label(ctx: CommandContext, p: Parsed): Promise<void> {
  const [digest, ...pairs] = positional(p, 'content label', 1, Infinity, 'give a blob DIGEST')
  const changes = labelChanges(pairs)
  // No pairs: show the labels, as ctr does, and change nothing.
  const labels =
    Object.keys(changes).length === 0
      ? (await contentInfo(ctx.berth(), ctx.namespace, digest)).labels
      : (await setContentLabels(ctx.berth(), { namespace: ctx.namespace, digest, changes })).labels
  if (ctx.json) return printJSON(ctx, { digest, labels })
  ctx.out(labelsLine(labels))
}

export async function get(ctx: CommandContext, p: Parsed): Promise<void> {
  const [digest] = positional(p, 'content get', 1, 1, 'give exactly one blob DIGEST')
  const stream = await readBlobStream(ctx.berth(), ctx.namespace, digest)
  await pipeline(stream, ctx.stdout, { end: false, signal: ctx.signal })
}
