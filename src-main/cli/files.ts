// `berth images files|wasted|cat|diff`: what is inside an image, from the command line, on the same
// service as the app's Files tab. The image's files are indexed first when they are not yet (progress on
// stderr). Names from inside an image are printed escaped (`ls -b`), never raw, except by `cat`, which
// writes a file's bytes as they are.
import { invalidArgument } from '../core/errors'
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
import { flag, parseFlags, str, strs, wholeNumber } from './args'
import { printJSON, type CommandContext } from './io'
import { progressSink } from './progress'
import { bytesBinary, tabwrite } from './table'

export const FILES_HELP = `  files NAME [PATH] [--platform P] [--layer N] [--no-progress]
                                          the merged tree (ls -l style), or what layer N changed (A/M/D)
  wasted NAME [--platform P] [--limit N]  bytes no final path shows, biggest first, and dive's efficiency
  cat NAME PATH [--platform P] [--layer N]
                                          a file's bytes to stdout
  diff A B [--platform P [--platform P2]] [--added | --removed | --changed]
                                          files added, removed and changed from A to B, and shared layers
`

const PAGE = 1000

/** The image and platform a command names, indexed (with progress) if it is not yet; its tree id. */
async function indexed(ctx: CommandContext, name: string, platform: string | undefined, quiet: boolean) {
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

function lsLine(e: FileEntry, mark?: string): string {
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
  ].join('\t')
}

async function files(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['no-progress'], strings: ['platform', 'layer'] }, 'images files')
  const [name, path = '/', ...extra] = p.args
  if (!name || extra.length) throw invalidArgument('images files: give an image NAME and at most one PATH')
  const layer = wholeNumber(p, 'layer', 'images files')
  const o = await indexed(ctx, name, str(p, 'platform'), flag(p, 'no-progress'))
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
    ctx.out(tabwrite(changes.map((e) => lsLine(e, e.change ? mark[e.change] : ' ') + '\n').join('')))
    return
  }
  const self = statFile(b, { ...req, path })
  if (self.type !== 'dir') {
    if (ctx.json) return printJSON(ctx, [self])
    return ctx.out(tabwrite(lsLine(self) + '\n'))
  }
  const all: FileEntry[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = listFiles(b, { ...req, dir: path, offset, limit: PAGE })
    all.push(...page.entries)
    if (offset + PAGE >= page.total) break
  }
  if (ctx.json) return printJSON(ctx, all)
  ctx.out(tabwrite(all.map((e) => lsLine(e) + '\n').join('')))
}

async function wasted(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['no-progress'], strings: ['platform', 'limit'] }, 'images wasted')
  if (p.args.length !== 1) throw invalidArgument('images wasted: give exactly one image NAME')
  const o = await indexed(ctx, p.args[0], str(p, 'platform'), flag(p, 'no-progress'))
  const limit = wholeNumber(p, 'limit', 'images wasted') ?? 20
  const r = o.tree
    ? wastedFiles(ctx.berth(), { namespace: ctx.namespace, tree: o.tree, limit: Math.min(limit, 10_000) })
    : { allBytes: 0, wastedBytes: 0, efficiency: 1, paths: 0, top: [] }
  if (ctx.json) return printJSON(ctx, { image: o.name, platform: o.platform, ...r })
  ctx.out(
    tabwrite(
      `Image:\t${o.name} (${o.platform})\n` +
        `File bytes in all layers:\t${bytesBinary(r.allBytes)} (${r.allBytes} bytes, ${o.layers.length} layers)\n` +
        `Wasted:\t${bytesBinary(r.wastedBytes)} (${r.wastedBytes} bytes) in ${r.paths} paths\n` +
        `Efficiency:\t${(r.efficiency * 100).toFixed(2)} %\n`,
    ),
  )
  if (r.top.length === 0) return
  ctx.out(
    '\n' +
      tabwrite(
        [
          'COUNT\tWASTED\tLAYERS\tPATH\n',
          ...r.top.map(
            (w) => `${w.versions}\t${bytesBinary(w.bytes)}\t${w.layers.join(',')}\t${escapeName(w.path)}\n`,
          ),
        ].join(''),
      ),
  )
}

/** The reader of `cat` went away (`| head`): not an error, the output is simply no longer wanted. */
class ReaderGone extends Error {}

async function cat(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['no-progress'], strings: ['platform', 'layer'] }, 'images cat')
  if (p.args.length !== 2) throw invalidArgument('images cat: give an image NAME and a PATH')
  const layer = wholeNumber(p, 'layer', 'images cat')
  const o = await indexed(ctx, p.args[0], str(p, 'platform'), true)
  if (!o.tree) throw invalidArgument(`images cat: ${o.name} has no layers`)
  const out = ctx.stdout
  // A closed pipe is also reported as an 'error' event, which would end the process unhandled.
  const ignore = (): void => {}
  out.on('error', ignore)
  try {
    await catFile(
      ctx.berth(),
      { namespace: ctx.namespace, tree: o.tree, path: p.args[1], ...(layer !== undefined ? { layer } : {}) },
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
  } finally {
    out.off('error', ignore)
  }
}

async function diff(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(
    argv,
    { bools: ['added', 'removed', 'changed', 'no-progress'], strings: ['platform'] },
    'images diff',
  )
  if (p.args.length !== 2)
    throw invalidArgument('images diff: give two image NAMEs (the same one twice with two --platform)')
  const platforms = strs(p, 'platform')
  if (platforms.length > 2) throw invalidArgument('images diff: --platform at most twice (A, then B)')
  const only = (['added', 'removed', 'changed'] as const).filter((k) => flag(p, k))
  if (only.length > 1) throw invalidArgument('images diff: choose one of --added, --removed, --changed')
  const quiet = flag(p, 'no-progress')
  const a = await indexed(ctx, p.args[0], platforms[0], quiet)
  const b = await indexed(ctx, p.args[1], platforms[1] ?? platforms[0], quiet)
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
  const lines = entries.map((e) => {
    const path = escapeName(e.path)
    if (e.change === 'added') return `+\t${path}\n`
    if (e.change === 'removed') return `-\t${path}\n`
    const what = e.fields.map((f) => {
      const x = e.a as NonNullable<typeof e.a>
      const y = e.b as NonNullable<typeof e.b>
      if (f === 'size') return `size ${x.size} → ${y.size}`
      if (f === 'mode') return `mode ${modeString(x.type, x.mode)} → ${modeString(y.type, y.mode)}`
      if (f === 'owner') return `owner ${x.uid}/${x.gid} → ${y.uid}/${y.gid}`
      if (f === 'link') return `link ${escapeName(x.link)} → ${escapeName(y.link)}`
      return `type ${x.type} → ${y.type}`
    })
    return `M\t${path}  ${what.join(', ')}\n`
  })
  ctx.out(tabwrite(lines.join('')))
  ctx.out(
    `${first.added} added, ${first.removed} removed, ${first.changed} changed, ${first.same} identical; ` +
      `${first.sharedLayers.length} shared layer${first.sharedLayers.length === 1 ? '' : 's'}, ` +
      `the first ${first.commonBase} in common (A has ${first.aLayers}, B has ${first.bLayers})\n`,
  )
}

/** The files subcommands of `berth images`, or false when `sub` is not one of them. */
export async function filesCommand(ctx: CommandContext, sub: string, argv: string[]): Promise<boolean> {
  if (sub === 'files') await files(ctx, argv)
  else if (sub === 'wasted') await wasted(ctx, argv)
  else if (sub === 'cat') await cat(ctx, argv)
  else if (sub === 'diff') await diff(ctx, argv)
  else return false
  return true
}
