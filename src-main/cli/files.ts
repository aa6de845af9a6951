// `berth images files|wasted|cat|diff`: what is inside an image, from the command line, on the same
// service as the app's Files tab. The image's files are indexed first when they are not yet (progress on
// stderr). Names from inside an image are printed escaped (`ls -b`), never raw, except by `cat`, which
// writes a file's bytes as they are. Flags and help are in commands.ts.
import { escapeName } from '../core/files/escape'
import { modeString } from '../core/files/entry'
import type { FileEntry, FilesImageRef } from '../../src-preload/api'
import {
  catFile,
  changedFiles,
  compareFiles,
  filesOverview,
  indexFiles,
  listFiles,
  statFile,
  wastedFiles,
} from '../service/files'
import { invalidArgument } from '../core/errors'
import { flag, platformFlag, positional, str, strs, wholeNumber, type Parsed } from './args'
import { printJSON, type CommandContext } from './io'
import { progressSink } from './progress'
import { bytesBinary, columns } from './table'
import { usage } from './usage'

const PAGE = 1000

/** The image and platform a command names, indexed (with progress) if it is not yet; its tree id. */
async function indexed(
  ctx: CommandContext,
  command: string,
  name: string,
  platform: string | undefined,
  quiet: boolean,
) {
  if (platform !== undefined) platformFlag(platform, command)
  const ref: FilesImageRef = { namespace: ctx.namespace, name, ...(platform ? { platform } : {}) }
  const progress = progressSink('indexing', ctx.stderr, quiet || ctx.json)
  try {
    await indexFiles(ctx.berth(), ref, {
      signal: ctx.signal,
      progress: (phase, done, total) =>
        progress.update({ bytesDone: done, bytesTotal: total, current: phase }),
    })
  } finally {
    progress.done()
  }
  return filesOverview(ctx.berth(), ref)
}

const time = (s: number): string => new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ')

/** One `ls -l` row: [mark,] mode, owner, size, time, name (and where a link points). */
function lsRow(e: FileEntry, mark?: string): string[] {
  const link =
    e.type === 'symlink'
      ? ` -> ${escapeName(e.link ?? '')}`
      : e.type === 'hardlink'
        ? ` link to ${escapeName(e.link ?? '')}`
        : ''
  return [
    ...(mark !== undefined ? [mark] : []),
    modeString(e.type, e.mode),
    `${e.uid}/${e.gid}`,
    String(e.size),
    time(e.mtime),
    `${escapeName(e.path)}${link}`,
  ]
}

export async function files(ctx: CommandContext, p: Parsed): Promise<void> {
  const [name, path = '/'] = positional(p, 'images files', 1, 2, 'give an image NAME and at most one PATH')
  const layer = wholeNumber(p, 'layer', 'images files')
  const o = await indexed(ctx, 'images files', name, str(p, 'platform'), flag(p, 'no-progress'))
  if (!o.tree) {
    if (ctx.json) return printJSON(ctx, [])
    return ctx.err(`berth: ${name} (${o.platform}) has no layers: no files\n`)
  }
  const b = ctx.berth()
  const req = { namespace: ctx.namespace, tree: o.tree }
  if (layer !== undefined) {
    const changes = changedFiles(b, { ...req, layer, dir: path })
    if (ctx.json) return printJSON(ctx, changes)
    const mark = { added: 'A', modified: 'M', removed: 'D' } as const
    return ctx.out(columns(changes.map((e) => lsRow(e, e.change ? mark[e.change] : ' '))))
  }
  const self = statFile(b, { ...req, path })
  if (self.type !== 'dir') {
    if (ctx.json) return printJSON(ctx, [self])
    return ctx.out(columns([lsRow(self)]))
  }
  const all: FileEntry[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = listFiles(b, { ...req, dir: path, offset, limit: PAGE })
    all.push(...page.entries)
    if (offset + PAGE >= page.total) break
  }
  if (ctx.json) return printJSON(ctx, all)
  ctx.out(columns(all.map((e) => lsRow(e))))
}

export async function wasted(ctx: CommandContext, p: Parsed): Promise<void> {
  const [name] = positional(p, 'images wasted', 1, 1, 'give exactly one image NAME')
  const limit = wholeNumber(p, 'limit', 'images wasted') ?? 20
  const o = await indexed(ctx, 'images wasted', name, str(p, 'platform'), flag(p, 'no-progress'))
  const r = o.tree
    ? wastedFiles(ctx.berth(), { namespace: ctx.namespace, tree: o.tree, limit: Math.min(limit, 10_000) })
    : { allBytes: 0, wastedBytes: 0, efficiency: 1, paths: 0, top: [] }
  if (ctx.json) return printJSON(ctx, { image: o.name, platform: o.platform, ...r })
  ctx.out(
    columns([
      ['Image:', `${o.name} (${o.platform})`],
      [
        'File bytes in all layers:',
        `${bytesBinary(r.allBytes)} (${r.allBytes} bytes, ${o.layers.length} layers)`,
      ],
      ['Wasted:', `${bytesBinary(r.wastedBytes)} (${r.wastedBytes} bytes) in ${r.paths} paths`],
      ['Efficiency:', `${(r.efficiency * 100).toFixed(2)} %`],
    ]),
  )
  if (r.top.length === 0) return
  ctx.out(
    '\n' +
      columns([
        ['COUNT', 'WASTED', 'LAYERS', 'PATH'],
        ...r.top.map((w) => [
          String(w.versions),
          bytesBinary(w.bytes),
          w.layers.join(','),
          escapeName(w.path),
        ]),
      ]),
  )
}

/** The reader of `cat` went away (`| head`): not an error, the output is simply no longer wanted. */
class ReaderGone extends Error {}

export async function cat(ctx: CommandContext, p: Parsed): Promise<void> {
  const [name, path] = positional(p, 'images cat', 2, 2, 'give an image NAME and a PATH')
  const layer = wholeNumber(p, 'layer', 'images cat')
  const o = await indexed(ctx, 'images cat', name, str(p, 'platform'), true)
  if (!o.tree) throw invalidArgument(`images cat: ${o.name} has no layers`)
  const out = ctx.stdout
  try {
    await catFile(
      ctx.berth(),
      { namespace: ctx.namespace, tree: o.tree, path, ...(layer !== undefined ? { layer } : {}) },
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          out.write(chunk, (e) =>
            e ? reject((e as NodeJS.ErrnoException).code === 'EPIPE' ? new ReaderGone() : e) : resolve(),
          )
        }),
      ctx.signal,
    )
  } catch (e) {
    if (!(e instanceof ReaderGone)) throw e
  }
}

export async function diff(ctx: CommandContext, p: Parsed): Promise<void> {
  const [nameA, nameB] = positional(
    p,
    'images diff',
    2,
    2,
    'give two image NAMEs (the same one twice with two --platform)',
  )
  const platforms = strs(p, 'platform')
  if (platforms.length > 2) throw usage('images diff: --platform at most twice (A, then B)', 'images diff')
  const only = (['added', 'removed', 'changed'] as const).filter((k) => flag(p, k))
  if (only.length > 1) throw usage('images diff: choose one of --added, --removed, --changed', 'images diff')
  const quiet = flag(p, 'no-progress')
  const a = await indexed(ctx, 'images diff', nameA, platforms[0], quiet)
  const b = await indexed(ctx, 'images diff', nameB, platforms[1] ?? platforms[0], quiet)
  if (!a.tree || !b.tree) throw invalidArgument('images diff: both images need layers')
  const req = { namespace: ctx.namespace, a: a.tree, b: b.tree, ...(only[0] ? { change: only[0] } : {}) }
  const first = compareFiles(ctx.berth(), { ...req, limit: PAGE })
  const entries = [...first.entries]
  for (let offset = PAGE; offset < first.total; offset += PAGE)
    entries.push(...compareFiles(ctx.berth(), { ...req, offset, limit: PAGE }).entries)
  if (ctx.json) {
    const { entries: _page, ...summary } = first
    return printJSON(ctx, {
      a: { name: a.name, platform: a.platform, tree: a.tree },
      b: { name: b.name, platform: b.platform, tree: b.tree },
      ...summary,
      entries,
    })
  }
  const rows = entries.map((e) => {
    const path = escapeName(e.path)
    if (e.change === 'added') return ['+', path]
    if (e.change === 'removed') return ['-', path]
    const x = e.a as NonNullable<typeof e.a>
    const y = e.b as NonNullable<typeof e.b>
    const what = e.fields.map((f) => {
      if (f === 'size') return `size ${x.size} → ${y.size}`
      if (f === 'mode') return `mode ${modeString(x.type, x.mode)} → ${modeString(y.type, y.mode)}`
      if (f === 'owner') return `owner ${x.uid}/${x.gid} → ${y.uid}/${y.gid}`
      if (f === 'link') return `link ${escapeName(x.link)} → ${escapeName(y.link)}`
      return `type ${x.type} → ${y.type}`
    })
    return ['M', `${path}  ${what.join(', ')}`]
  })
  ctx.out(columns(rows, 1))
  ctx.out(
    `${first.added} added, ${first.removed} removed, ${first.changed} changed, ${first.same} alike (contents not compared); ` +
      `${first.sharedLayers.length} shared layer${first.sharedLayers.length === 1 ? '' : 's'}, ` +
      `the first ${first.commonBase} in common (A has ${first.aLayers}, B has ${first.bLayers})\n`,
  )
}
