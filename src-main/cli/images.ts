// `berth images …`: ctr's image commands over the Berth service, with ctr's columns and --json.
import { invalidArgument } from '../core/errors'
import { parse as parsePlatform } from '../core/platforms'
import {
  checkImages,
  exportImages,
  importImage,
  inspectImage,
  labelImage,
  listImages,
  parseLabelArgs,
  removeImages,
  tagImage,
} from '../service/berth-images'
import { flag, parseFlags, str, strs } from './args'
import { printJSON, type CommandContext } from './io'
import { progressSink } from './progress'
import { bytesBinary, labelsColumn, tabwrite } from './table'

export const IMAGES_HELP = `berth images COMMAND

Commands:
  ls [-q] [FILTER...]                     list images (REF TYPE DIGEST SIZE PLATFORMS LABELS)
  import FILE|- [--all-platforms | --platform P] [--index-name NAME] [--digests [--skip-digest-for-named]]
              [--base-name NAME] [--label K=V...] [--verify-diff-ids] [--no-progress]
                                          import an OCI layout (tar, tar.gz, tar.zst or directory) or docker-save archive
  export FILE|- NAME... [--all-platforms | --platform P...] [--dir] [--compress gzip|zstd] [--skip-manifest-json]
                                          export images as an OCI archive (or a layout directory with --dir)
  label NAME KEY=VALUE|KEY=... [-r]       set (KEY=VALUE) and clear (KEY=) image labels; -r replaces all
  tag SRC DST... [--force]                give an image more names
  rm NAME... [--sync]                     remove images; --sync also collects garbage before returning
  check [-q] [FILTER...]                  check every platform's content (REF TYPE DIGEST STATUS SIZE UNPACKED)
  inspect NAME [--platform P]             target, platforms, manifest, config and diff IDs
`

const table = (ctx: CommandContext, lines: string[]) => ctx.out(tabwrite(lines.join('\n') + '\n'))

async function ls(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['quiet'], aliases: { q: 'quiet' } }, 'images ls')
  const rows = await listImages(ctx.berth(), ctx.namespace, p.args)
  if (ctx.json) return printJSON(ctx, rows)
  if (flag(p, 'quiet')) return ctx.out(rows.map((r) => `${r.name}\n`).join(''))
  table(ctx, [
    'REF\tTYPE\tDIGEST\tSIZE\tPLATFORMS\tLABELS\t',
    ...rows.map(
      (r) =>
        `${r.name}\t${r.mediaType}\t${r.digest}\t${bytesBinary(r.size ?? 0)}\t${r.platforms.length ? r.platforms.join(',') : '-'}\t${labelsColumn(r.labels)}\t`,
    ),
  ])
}

async function importCmd(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(
    argv,
    {
      bools: [
        'all-platforms',
        'digests',
        'skip-digest-for-named',
        'no-progress',
        'no-unpack',
        'local',
        'verify-diff-ids',
      ],
      strings: ['platform', 'index-name', 'base-name', 'label'],
    },
    'images import',
  )
  if (p.args.length !== 1)
    throw invalidArgument('images import: give exactly one FILE (an archive or an OCI layout directory)')
  if (flag(p, 'all-platforms') && str(p, 'platform'))
    throw invalidArgument('images import: --all-platforms and --platform exclude each other')
  if (flag(p, 'skip-digest-for-named') && !flag(p, 'digests')) {
    throw invalidArgument('images import: --skip-digest-for-named must be specified with --digests option')
  }
  const progress = progressSink('importing', ctx.stderr, flag(p, 'no-progress') || ctx.json)
  const platform = str(p, 'platform')
  const fromStdin = p.args[0] === '-'
  const r = await importImage(ctx.berth(), ctx.namespace, fromStdin ? 'stdin' : p.args[0], {
    stream: fromStdin ? process.stdin : undefined,
    allPlatforms: flag(p, 'all-platforms'),
    platform: platform ? parsePlatform(platform) : undefined,
    indexName: str(p, 'index-name'),
    baseName: str(p, 'base-name'),
    digests: flag(p, 'digests'),
    // As ctr's transfer import does it: with --digests, named images get a digest name only when
    // --skip-digest-for-named is given (ctr passes the flag's negation through).
    skipDigestForNamed: flag(p, 'digests') ? !flag(p, 'skip-digest-for-named') : undefined,
    labels: strs(p, 'label').length ? parseLabelArgs(strs(p, 'label')) : undefined,
    verifyDiffIds: flag(p, 'verify-diff-ids'),
    signal: ctx.signal,
    onProgress: (x) => progress.update(x),
  }).finally(() => progress.done())
  if (ctx.json) {
    return printJSON(ctx, {
      images: r.images.map((i) => ({ name: i.name, target: i.target })),
      index: r.index,
      format: r.format,
      compression: r.compression,
      added: r.added,
    })
  }
  if (r.images.length === 0)
    ctx.err('berth: the archive names no image: use --index-name NAME or --digests to keep it\n')
  table(ctx, [
    'REF\tTYPE\tDIGEST\t',
    ...r.images.map((i) => `${i.name}\t${i.target.mediaType}\t${i.target.digest}\t`),
  ])
}

async function exportCmd(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(
    argv,
    {
      bools: ['all-platforms', 'dir', 'skip-manifest-json', 'no-progress', 'local'],
      strings: ['platform', 'compress'],
    },
    'images export',
  )
  if (p.args.length < 2)
    throw invalidArgument('images export: give the output FILE and at least one image NAME')
  const platforms = strs(p, 'platform')
  if (flag(p, 'all-platforms') && platforms.length)
    throw invalidArgument('images export: --all-platforms and --platform exclude each other')
  const compress = str(p, 'compress')
  if (compress !== undefined && compress !== 'gzip' && compress !== 'zstd') {
    throw invalidArgument(`images export: --compress takes gzip or zstd, not ${compress}`)
  }
  for (const pl of platforms) parsePlatform(pl)
  const progress = progressSink('exporting', ctx.stderr, flag(p, 'no-progress') || ctx.json)
  const [file, ...names] = p.args
  // "-" writes the archive to stdout (ctr does the same); the --json report then goes to stderr.
  const toStdout = file === '-'
  const r = await exportImages(ctx.berth(), ctx.namespace, names, toStdout ? 'stdout' : file, {
    stream: toStdout ? ctx.stdout : undefined,
    allPlatforms: flag(p, 'all-platforms'),
    platforms,
    directory: flag(p, 'dir'),
    compression: compress as 'gzip' | 'zstd' | undefined,
    skipDockerManifest: flag(p, 'skip-manifest-json'),
    signal: ctx.signal,
    onProgress: (x) => progress.update(x),
  }).finally(() => progress.done())
  if (ctx.json) {
    if (toStdout) return ctx.err(JSON.stringify(r) + '\n')
    return printJSON(ctx, r)
  }
  for (const m of r.missing) {
    ctx.err(
      `berth: ${m.image}: ${m.mediaType} ${m.digest} (${bytesBinary(m.size)}) is not in the store and was not exported\n`,
    )
  }
}

async function label(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['replace-all'], aliases: { r: 'replace-all' } }, 'images label')
  const [name, ...pairs] = p.args
  if (!name) throw invalidArgument('images label: please specify an image')
  const img = labelImage(ctx.berth(), ctx.namespace, name, parseLabelArgs(pairs), flag(p, 'replace-all'))
  if (ctx.json) return printJSON(ctx, { name: img.name, labels: img.labels })
  ctx.out(
    Object.entries(img.labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',') + '\n',
  )
}

async function tag(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['force', 'local', 'skip-reference-check'] }, 'images tag')
  const [src, ...dsts] = p.args
  if (!src) throw invalidArgument('images tag: please provide an image reference to tag from')
  if (dsts.length === 0) throw invalidArgument('images tag: please provide an image reference to tag to')
  const imgs = tagImage(ctx.berth(), ctx.namespace, src, dsts, flag(p, 'force'))
  if (ctx.json)
    return printJSON(
      ctx,
      imgs.map((i) => ({ name: i.name, target: i.target })),
    )
  ctx.out(imgs.map((i) => `${i.name}\n`).join(''))
}

async function rm(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['sync'] }, 'images rm')
  if (p.args.length === 0) throw invalidArgument('images rm: name at least one image')
  const r = removeImages(ctx.berth(), ctx.namespace, p.args, flag(p, 'sync'))
  if (ctx.json) {
    return printJSON(ctx, {
      removed: r.removed,
      notFound: r.notFound,
      ...(r.gc ? { bytesFreed: r.gc.bytesFreed, blobsDeleted: r.gc.blobsDeleted } : {}),
    })
  }
  for (const n of r.notFound) ctx.err(`berth: ${n}: image not found\n`)
  ctx.out(r.removed.map((n) => `${n}\n`).join(''))
}

async function check(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['quiet'], aliases: { q: 'quiet' } }, 'images check')
  const rows = await checkImages(ctx.berth(), ctx.namespace, p.args)
  if (ctx.json) return printJSON(ctx, rows)
  if (flag(p, 'quiet'))
    return ctx.out(
      rows
        .filter((r) => r.status === 'complete')
        .map((r) => `${r.name}\n`)
        .join(''),
    )
  const lines = ['REF\tTYPE\tDIGEST\tSTATUS\tSIZE\tUNPACKED\t']
  for (const r of rows) {
    const status = r.status === 'error' ? 'error' : `${r.status} (${r.present}/${r.required})`
    const size = r.status === 'error' ? '-' : `${bytesBinary(r.presentBytes)}/${bytesBinary(r.requiredBytes)}`
    lines.push(`${r.name}\t${r.mediaType}\t${r.digest}\t${status}\t${size}\tfalse`)
  }
  table(ctx, lines)
  for (const r of rows) {
    for (const pl of r.platforms.filter((x) => !x.complete)) {
      ctx.err(
        `berth: ${r.name}: ${pl.platform} incomplete (${pl.present}/${pl.required} blobs, ${bytesBinary(pl.presentBytes)}/${bytesBinary(pl.requiredBytes)})\n`,
      )
    }
    if (r.error) ctx.err(`berth: unable to check ${r.name}: ${r.error}\n`)
  }
  if (rows.some((r) => r.status === 'error')) ctx.exitCode = 1
}

async function inspect(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { strings: ['platform'] }, 'images inspect')
  if (p.args.length !== 1) throw invalidArgument('images inspect: give exactly one image NAME')
  const r = await inspectImage(ctx.berth(), ctx.namespace, p.args[0], str(p, 'platform'))
  if (ctx.json) return printJSON(ctx, r)
  const lines = [
    `Name:\t${r.name}`,
    `Target:\t${r.target.mediaType} ${r.target.digest} (${r.target.size} bytes)`,
    `Platforms:\t${r.platforms.join(', ') || '-'}`,
    `Platform:\t${r.platform}`,
    `Config:\t${r.config.mediaType} ${r.config.digest} (${r.config.size} bytes)`,
    `Labels:\t${labelsColumn(r.labels)}`,
    `Created:\t${r.createdAt}`,
    `Updated:\t${r.updatedAt}`,
    `Layers:`,
  ]
  r.manifest.layers.forEach((l, i) =>
    lines.push(`  ${l.digest}\t${l.mediaType}\t${l.size}\tdiff ${r.diffIds[i] ?? '-'}`),
  )
  lines.push('Diff IDs:')
  for (const d of r.diffIds) lines.push(`  ${d}`)
  table(ctx, lines)
}

export async function imagesCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv
  switch (sub) {
    case 'ls':
    case 'list':
      return ls(ctx, rest)
    case 'import':
      return importCmd(ctx, rest)
    case 'export':
      return exportCmd(ctx, rest)
    case 'label':
      return label(ctx, rest)
    case 'tag':
      return tag(ctx, rest)
    case 'rm':
    case 'remove':
    case 'delete':
    case 'del':
      return rm(ctx, rest)
    case 'check':
      return check(ctx, rest)
    case 'inspect':
      return inspect(ctx, rest)
    case undefined:
      ctx.out(IMAGES_HELP)
      return
    default:
      throw invalidArgument(`images: unknown command ${JSON.stringify(sub)} (see berth images --help)`)
  }
}
