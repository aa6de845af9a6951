// `berth images …` but ls (images-ls.ts): ctr's image commands over the service's use cases (the app
// calls the same ones), with ctr's columns and --json. Flags and help are in commands.ts. With --address
// label, tag, rm, check and inspect act on that containerd daemon (containerd.ts); the output is the same.
import { alreadyExists, isKind } from '../core/errors'
import { checkImages } from '../service/check'
import type { ServiceContext } from '../service/context'
import { exportImages } from '../service/export'
import { importImage } from '../service/import'
import { inspectImage } from '../service/inspect'
import { labelImage } from '../service/labels'
import { removeImages } from '../service/remove'
import { tagImage } from '../service/tag'
import { leftOutNote } from '../service/transfer'
import { flag, platformFlag, positional, str, strs, type Parsed } from './args'
import { warnRegexps } from './filter-warnings'
import { printJSON, type CommandContext } from './io'
import { labelArgs, labelChanges, labelsLine } from './labels'
import { progressSink } from './progress'
import { bytesBinary, columns, labelsColumn } from './table'
import { usage } from './usage'

/** The containerd side of these commands (--address), loaded only when it is asked for. */
const daemon = () => import('./containerd')

/** Where check and inspect read: Berth's store, or with --address the daemon's (synced) mirror. */
async function readPlace(ctx: CommandContext): Promise<ServiceContext> {
  return ctx.address !== undefined ? (await daemon()).readPlace(ctx) : ctx.berth()
}

export async function importCmd(ctx: CommandContext, p: Parsed): Promise<void> {
  const [file] = positional(
    p,
    'images import',
    1,
    1,
    'give exactly one FILE (an archive, an OCI layout directory, or - for stdin)',
  )
  if (flag(p, 'all-platforms') && str(p, 'platform'))
    throw usage('images import: --all-platforms and --platform exclude each other', 'images import')
  if (flag(p, 'skip-digest-for-named') && !flag(p, 'digests')) {
    throw usage(
      'images import: --skip-digest-for-named must be specified with --digests option',
      'images import',
    )
  }
  const progress = progressSink('importing', ctx.stderr, flag(p, 'no-progress') || ctx.json)
  const platform = str(p, 'platform')
  const fromStdin = file === '-'
  const r = await importImage(ctx.berth(), ctx.namespace, fromStdin ? 'stdin' : file, {
    stream: fromStdin ? ctx.stdin : undefined,
    allPlatforms: flag(p, 'all-platforms'),
    platform: platform ? platformFlag(platform, 'images import') : undefined,
    indexName: str(p, 'index-name'),
    baseName: str(p, 'base-name'),
    digests: flag(p, 'digests'),
    // As ctr's transfer import does it: with --digests, named images get a digest name only when
    // --skip-digest-for-named is given (ctr passes the flag's negation through).
    skipDigestForNamed: flag(p, 'digests') ? !flag(p, 'skip-digest-for-named') : undefined,
    labels: strs(p, 'label').length ? labelArgs(strs(p, 'label')) : undefined,
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
      skipped: r.skipped,
    })
  }
  for (const x of r.skipped) ctx.err(`berth: ${x.name}: not imported, ${x.reason}\n`)
  if (r.images.length === 0 && r.skipped.length === 0)
    ctx.err('berth: the archive names no image: use --index-name NAME or --digests to keep it\n')
  ctx.out(
    columns([
      ['REF', 'TYPE', 'DIGEST'],
      ...r.images.map((i) => [i.name, i.target.mediaType, i.target.digest]),
    ]),
  )
}

export async function exportCmd(ctx: CommandContext, p: Parsed): Promise<void> {
  const [file, ...names] = positional(
    p,
    'images export',
    2,
    Infinity,
    'give the output FILE (or - for stdout) and at least one image NAME',
  )
  const platforms = strs(p, 'platform')
  if (flag(p, 'all-platforms') && platforms.length)
    throw usage('images export: --all-platforms and --platform exclude each other', 'images export')
  const compress = str(p, 'compress')
  if (compress !== undefined && compress !== 'gzip' && compress !== 'zstd') {
    throw usage(`images export: --compress takes gzip or zstd, not ${compress}`, 'images export')
  }
  for (const pl of platforms) platformFlag(pl, 'images export')
  const toStdout = file === '-'
  if (toStdout && flag(p, 'dir'))
    throw usage('images export: --dir needs a directory, not -', 'images export')
  const progress = progressSink('exporting', ctx.stderr, flag(p, 'no-progress') || ctx.json)
  // "-" writes the archive to stdout (ctr does the same); the --json report then goes to stderr.
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
  for (const l of r.leftOut) ctx.err(`berth: ${leftOutNote(l)}\n`)
}

export async function label(ctx: CommandContext, p: Parsed): Promise<void> {
  const [name, ...pairs] = positional(p, 'images label', 1, Infinity, 'name the image to label')
  const changes = labelChanges(pairs)
  const replace = flag(p, 'replace-all')
  const img =
    ctx.address !== undefined
      ? await (await daemon()).daemonLabel(ctx, name, changes, replace)
      : labelImage(ctx.berth(), ctx.namespace, name, changes, { replace })
  if (ctx.json) return printJSON(ctx, { name: img.name, labels: img.labels })
  ctx.out(labelsLine(img.labels))
}

export async function tag(ctx: CommandContext, p: Parsed): Promise<void> {
  const [src, ...dsts] = positional(
    p,
    'images tag',
    2,
    Infinity,
    'give the SOURCE image and at least one TARGET',
  )
  let imgs
  try {
    const opts = { force: flag(p, 'force'), literal: flag(p, 'skip-reference-check') }
    imgs =
      ctx.address !== undefined
        ? await (await daemon()).daemonTag(ctx, src, dsts, opts)
        : tagImage(ctx.berth(), ctx.namespace, src, dsts, opts)
  } catch (e) {
    if (isKind(e, 'already-exists')) throw alreadyExists(`${(e as Error).message}: --force replaces it`, e)
    throw e
  }
  if (ctx.json)
    return printJSON(
      ctx,
      imgs.map((i) => ({ name: i.name, target: i.target })),
    )
  ctx.out(imgs.map((i) => `${i.name}\n`).join(''))
}

export async function rm(ctx: CommandContext, p: Parsed): Promise<void> {
  const names = positional(p, 'images rm', 1, Infinity, 'name at least one image')
  const r =
    ctx.address !== undefined
      ? await (await daemon()).daemonRemove(ctx, names, flag(p, 'sync'))
      : removeImages(ctx.berth(), ctx.namespace, names, { sync: flag(p, 'sync') })
  if (ctx.json) {
    return printJSON(ctx, {
      removed: r.removed,
      notFound: r.notFound,
      ...(r.freed ? { bytesFreed: r.freed.bytes, blobsDeleted: r.freed.blobs } : {}),
    })
  }
  for (const n of r.notFound) ctx.err(`berth: ${n}: image not found\n`)
  ctx.out(r.removed.map((n) => `${n}\n`).join(''))
  if (r.freed) ctx.out(`freed ${bytesBinary(r.freed.bytes)} (${r.freed.blobs} blobs)\n`)
}

export async function check(ctx: CommandContext, p: Parsed): Promise<void> {
  warnRegexps(ctx, p.args)
  const rows = await checkImages(await readPlace(ctx), ctx.namespace, p.args)
  if (ctx.json) return printJSON(ctx, rows)
  if (flag(p, 'quiet'))
    return ctx.out(
      rows
        .filter((r) => r.status === 'complete')
        .map((r) => `${r.name}\n`)
        .join(''),
    )
  ctx.out(
    columns([
      ['REF', 'TYPE', 'DIGEST', 'STATUS', 'SIZE'],
      ...rows.map((r) => [
        r.name,
        r.mediaType,
        r.digest,
        r.status === 'error' ? 'error' : `${r.status} (${r.present}/${r.required})`,
        r.status === 'error' ? '-' : `${bytesBinary(r.presentBytes)}/${bytesBinary(r.requiredBytes)}`,
      ]),
    ]),
  )
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

export async function inspect(ctx: CommandContext, p: Parsed): Promise<void> {
  const [name] = positional(p, 'images inspect', 1, 1, 'give exactly one image NAME')
  const platform = str(p, 'platform')
  if (platform !== undefined) platformFlag(platform, 'images inspect')
  const r = await inspectImage(await readPlace(ctx), ctx.namespace, name, platform)
  if (ctx.json) return printJSON(ctx, r)
  const size = (d: { size: number }) => bytesBinary(d.size)
  ctx.out(
    columns([
      ['Name:', r.name],
      ['Target:', `${r.target.mediaType} ${r.target.digest} (${size(r.target)})`],
      ['Platforms:', r.platforms.join(', ') || '-'],
      ['Platform:', r.platform],
      ['Config:', `${r.config.mediaType} ${r.config.digest} (${size(r.config)})`],
      ['Labels:', labelsColumn(r.labels)],
      ['Created:', r.createdAt],
      ['Updated:', r.updatedAt],
    ]),
  )
  ctx.out('Layers:\n')
  ctx.out(
    columns(
      r.manifest.layers.map((l, i) => [`  ${l.digest}`, l.mediaType, size(l), `diff ${r.diffIds[i] ?? '-'}`]),
    ),
  )
  ctx.out(`Diff IDs:\n${r.diffIds.map((d) => `  ${d}\n`).join('')}`)
}
