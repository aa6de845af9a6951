// Saving out of an image: a file's bytes, or a directory as a tar (directories, then file bodies layer by
// layer — each layer streamed once — then links). Written to a temporary file beside the destination,
// flushed and renamed into place, so the destination is either untouched or complete.
import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { failedPrecondition, invalidArgument } from '../errors'
import { TAR_END, tarHeader, tarPadding } from '../transfer/tar-writer'
import type { TreeRow } from './listing'
import { baseOf, displayPath } from './paths'
import { readBodies, type LayerBlob } from './read'

export interface SaveOptions {
  signal?: AbortSignal
  /** Bytes of file content written so far, of `total`. */
  onProgress?: (done: number, total: number) => void
}

export interface SaveResult {
  /** Entries written. */
  entries: number
  bytes: number
  /** Device nodes, FIFOs and broken hardlinks: nothing a tar on a user's disk should carry. */
  skipped: number
}

async function atomically(
  dest: string,
  mode: number,
  body: (fh: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`)
  const fh = await open(temp, 'wx', mode)
  try {
    await body(fh)
    await fh.sync()
    await fh.close()
    await rename(temp, dest)
  } catch (e) {
    await fh.close().catch(() => {})
    await rm(temp, { force: true })
    throw e
  }
}

/** A regular file (or hardlink) to `dest`; `blob` is the layer holding its bytes. */
export async function saveFile(
  row: TreeRow,
  blob: LayerBlob,
  dest: string,
  opts: SaveOptions = {},
): Promise<SaveResult> {
  if (row.type !== 'file' && row.type !== 'hardlink')
    throw invalidArgument(`${displayPath(row.path)} is a ${row.type}, not a file: save its directory instead`)
  if (row.srcSeq < 0) throw invalidArgument(`${displayPath(row.path)} is a hardlink to nothing in this image`)
  let done = 0
  await atomically(dest, row.mode & 0o777, async (fh) => {
    const found = await readBodies(
      blob,
      new Set([row.srcSeq]),
      {
        start() {},
        async chunk(c) {
          await fh.write(c)
          done += c.length
          opts.onProgress?.(done, row.size)
        },
        end() {},
      },
      { signal: opts.signal },
    )
    if (found === 0) throw missing(row)
  })
  return { entries: 1, bytes: done, skipped: 0 }
}

const missing = (row: TreeRow): Error =>
  failedPrecondition(
    `${displayPath(row.path)}: its layer no longer holds the entry the index recorded; index the image again`,
  )

/**
 * The directory `dir` (its row, or null for the image's root) and everything below it (`rows`, parents
 * first) as a tar at `dest`. Entries are named from the directory's own name down, as `tar -C parent`.
 */
export async function saveDirectory(
  dir: TreeRow | null,
  rows: TreeRow[],
  blobAt: (layer: number) => LayerBlob,
  dest: string,
  opts: SaveOptions = {},
): Promise<SaveResult> {
  const prefix = dir ? baseOf(dir.path) : ''
  const cut = dir ? dir.path.length + 1 : 0
  const outName = (r: TreeRow): string => (prefix ? `${prefix}/${r.path.slice(cut)}` : r.path)
  const dirs: TreeRow[] = dir
    ? [dir, ...rows.filter((r) => r.type === 'dir')]
    : rows.filter((r) => r.type === 'dir')
  const symlinks = rows.filter((r) => r.type === 'symlink')
  // Bytes by where they are (layer, tar entry): a file and the hardlinks to it share one body.
  const data = new Map<number, Map<number, TreeRow[]>>()
  let skipped = 0
  let total = 0
  for (const r of rows) {
    if (r.type !== 'file' && r.type !== 'hardlink') {
      if (r.type !== 'dir' && r.type !== 'symlink') skipped++
      continue
    }
    if (r.srcSeq < 0) {
      skipped++
      continue
    }
    const byLayer = data.get(r.srcLayer) ?? new Map<number, TreeRow[]>()
    data.set(r.srcLayer, byLayer)
    const names = byLayer.get(r.srcSeq) ?? []
    if (names.length === 0) total += r.size
    // The file itself carries the body when it is saved too; its hardlinks then point at it.
    if (r.type === 'file') names.unshift(r)
    else names.push(r)
    byLayer.set(r.srcSeq, names)
  }
  let entries = 0
  let done = 0
  await atomically(dest, 0o644, async (fh) => {
    const put = async (b: Buffer): Promise<void> => {
      await fh.write(b)
    }
    const header = (r: TreeRow, over: Partial<Parameters<typeof tarHeader>[0]> = {}) =>
      tarHeader({
        path: outName(r) + (r.type === 'dir' ? '/' : ''),
        type: 'File',
        mode: r.mode,
        uid: r.uid,
        gid: r.gid,
        mtime: new Date(r.mtime * 1000),
        ...over,
      })
    for (const d of dirs) {
      await put(header(d, { type: 'Directory' }))
      entries++
    }
    for (const layer of [...data.keys()].sort((a, b) => a - b)) {
      const bySeq = data.get(layer) as Map<number, TreeRow[]>
      let written = 0
      const found = await readBodies(
        blobAt(layer),
        new Set(bySeq.keys()),
        {
          async start(seq) {
            const first = (bySeq.get(seq) as TreeRow[])[0]
            written = 0
            await put(header(first, { size: first.size }))
          },
          async chunk(c) {
            await put(c)
            written += c.length
            done += c.length
            opts.onProgress?.(done, total)
          },
          async end(seq) {
            const [first, ...links] = bySeq.get(seq) as TreeRow[]
            if (written !== first.size) throw missing(first)
            await put(tarPadding(written))
            entries++
            for (const l of links) {
              await put(header(l, { type: 'Link', linkpath: outName(first) }))
              entries++
            }
          },
        },
        { signal: opts.signal },
      )
      if (found !== bySeq.size) throw missing((bySeq.values().next().value as TreeRow[])[0])
    }
    for (const s of symlinks) {
      await put(header(s, { type: 'SymbolicLink', linkpath: s.link }))
      entries++
    }
    await put(TAR_END)
  })
  return { entries, bytes: done, skipped }
}
