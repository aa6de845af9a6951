// `berth content …`: ctr's content ls / label / get.
import { pipeline } from 'node:stream/promises'
import { invalidArgument } from '../core/errors'
import { parseDigest } from '../core/oci'
import { contentStream, labelContent, listContent, parseLabelArgs } from '../service/berth-images'
import { flag, parseFlags } from './args'
import { printJSON, type CommandContext } from './io'
import { humanDuration, humanSize, tabwrite } from './table'

export const CONTENT_HELP = `berth content COMMAND

Commands:
  ls [-q] [FILTER...]              list blobs (DIGEST SIZE AGE LABELS); filters on digest and labels.KEY
  label DIGEST [KEY=VALUE|KEY=...] set and clear blob labels, print the result
  get DIGEST                       write a blob's bytes to stdout
`

async function ls(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['quiet'], aliases: { q: 'quiet' } }, 'content ls')
  const infos = await listContent(ctx.berth(), ctx.namespace, p.args)
  if (ctx.json) {
    return printJSON(
      ctx,
      infos.map((i) => ({
        digest: i.digest,
        size: i.size,
        createdAt: i.createdAt.toISOString(),
        updatedAt: i.updatedAt.toISOString(),
        labels: i.labels,
      })),
    )
  }
  if (flag(p, 'quiet')) return ctx.out(infos.map((i) => `${i.digest}\n`).join(''))
  const now = Date.now()
  const lines = ['DIGEST\tSIZE\tAGE\tLABELS']
  for (const i of infos) {
    const labels =
      Object.entries(i.labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(',') || '-'
    lines.push(`${i.digest}\t${humanSize(i.size)}\t${humanDuration(now - i.createdAt.getTime())}\t${labels}`)
  }
  ctx.out(tabwrite(lines.join('\n') + '\n', { padchar: '\t' }))
}

async function label(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, {}, 'content label')
  const [d, ...pairs] = p.args
  if (!d) throw invalidArgument('content label: give a blob DIGEST')
  const info = await labelContent(ctx.berth(), ctx.namespace, parseDigest(d), parseLabelArgs(pairs))
  if (ctx.json) return printJSON(ctx, { digest: info.digest, labels: info.labels })
  ctx.out(
    Object.entries(info.labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',') + '\n',
  )
}

async function get(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, {}, 'content get')
  if (p.args.length !== 1) throw invalidArgument('content get: give exactly one blob DIGEST')
  const stream = await contentStream(ctx.berth(), ctx.namespace, parseDigest(p.args[0]))
  await pipeline(stream, ctx.stdout, { end: false })
}

export async function contentCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv
  switch (sub) {
    case 'ls':
    case 'list':
      return ls(ctx, rest)
    case 'label':
      return label(ctx, rest)
    case 'get':
      return get(ctx, rest)
    case undefined:
      ctx.out(CONTENT_HELP)
      return
    default:
      throw invalidArgument(`content: unknown command ${JSON.stringify(sub)} (see berth content --help)`)
  }
}
