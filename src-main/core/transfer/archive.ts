// Reads an image archive in one streaming pass: a tar (plain, gzip or zstd, told apart by magic bytes,
// never by file name) or an OCI layout directory. Entry names are checked before anything is done with
// them; bodies are handed to a visitor as async byte streams, so nothing is held whole in memory.
import { createReadStream, lstatSync, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import type { BerthError } from '../errors'
import { COMPRESSION_HEAD_BYTES, detectCompression, type Compression } from '../compression'
import { invalidArgument, notFound, unavailable } from '../errors'

export { detectCompression, type Compression } from '../compression'

export interface ArchiveVisitor {
  /** A regular file; `body` must be consumed to the end before the next entry arrives. */
  file(path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void>
  /** A symbolic or hard link; whether it is acceptable depends on the archive's format. */
  link(path: string, kind: 'symlink' | 'hardlink', target: string): void
}

export interface ReadOptions {
  /** Read this stream instead of opening the file (whose name is then only used in messages). */
  stream?: Readable
  signal?: AbortSignal
  /** Compressed bytes read so far, out of the file's size. */
  onBytes?: (done: number, total: number) => void
}

function fileHead(file: string): Uint8Array {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(COMPRESSION_HEAD_BYTES)
    const n = readSync(fd, buf, 0, COMPRESSION_HEAD_BYTES, 0)
    return buf.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

async function peekHead(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  let n = 0
  while (n < COMPRESSION_HEAD_BYTES && !s.readableEnded) {
    const c = s.read() as Buffer | null
    if (c === null) {
      await new Promise((r) => {
        s.once('readable', r)
        s.once('end', r)
      })
      continue
    }
    parts.push(c)
    n += c.length
  }
  const head = Buffer.concat(parts)
  if (head.length > 0) s.unshift(head)
  return head
}

/**
 * The archive-relative path of an entry, or InvalidArgument when it could land outside the archive
 * root: absolute paths, drive letters, backslashes, NUL and any `..` component are refused outright.
 */
export function safeEntryPath(raw: string): string {
  const where = `archive entry ${JSON.stringify(raw)}`
  if (raw.includes('\0')) throw invalidArgument(`${where}: the name contains a NUL byte`)
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw))
    throw invalidArgument(`${where}: absolute paths are not allowed in an image archive`)
  if (raw.includes('\\')) throw invalidArgument(`${where}: backslashes are not allowed in an image archive`)
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..'))
    throw invalidArgument(`${where}: path traversal ("..") is not allowed in an image archive`)
  if (parts.length === 0) return '.'
  return parts.join('/')
}

function cancelled(what: string): BerthError {
  return unavailable(`${what}: cancelled`)
}

function tarError(file: string, e: { code?: string; message?: string }): BerthError {
  const msg = e.message ?? String(e)
  if (/Truncated input/.test(msg)) return invalidArgument(`${file}: the archive is truncated (${msg})`)
  if (/Unrecognized archive format|checksum failure|invalid base256|TAR_ENTRY_INVALID/.test(msg)) {
    return invalidArgument(`${file}: not a tar archive (nor a gzip or zstd compressed one)`)
  }
  return invalidArgument(`${file}: unreadable tar archive: ${msg}`)
}

/** One pass over a tar file, entries in archive order. Rejects on the first bad entry or visitor error. */
export async function readTarArchive(
  file: string,
  visitor: ArchiveVisitor,
  opts: ReadOptions = {},
): Promise<Compression> {
  let total: number
  let raw: Readable
  let compression: Compression
  if (opts.stream) {
    // A pipe (stdin): the size is unknown, and the magic bytes are peeked and put back.
    raw = opts.stream
    total = 0
    compression = detectCompression(await peekHead(raw))
  } else {
    try {
      total = statSync(file).size
    } catch {
      throw notFound(`archive ${file}: no such file`)
    }
    compression = detectCompression(fileHead(file))
    raw = createReadStream(file, { highWaterMark: 1 << 20 })
  }
  let done = 0
  const counted = (n: number) => {
    done += n
    opts.onBytes?.(done, total)
  }
  let source: Readable = raw
  if (compression !== 'none') {
    // The decompressor consumes raw as it flows; count the compressed bytes on the way.
    raw.on('data', (c) => counted(c.length))
    const inflate = compression === 'gzip' ? createGunzip() : createZstdDecompress()
    // pipe() does not forward a read error: end the decompressor with it, so the pass ends too.
    raw.on('error', (e) => inflate.destroy(e))
    source = raw.pipe(inflate)
  }

  const parser = new Parser({ strict: true })
  let failure: unknown
  let chain: Promise<void> = Promise.resolve()
  let entries = 0
  // Rejected on the first failure, so a visitor blocked on an entry that will never get more bytes
  // (the pass stopped feeding the parser) fails too and cleans up after itself.
  let rejectFailed!: (e: unknown) => void
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject))
  failed.catch(() => undefined)
  const fail = (e: unknown) => {
    if (failure !== undefined) return
    failure = e
    rejectFailed(e)
  }
  parser.on('error', (e: Error) => fail(tarError(file, e)))
  parser.on('entry', (entry: ReadEntry) => {
    entries++
    chain = chain
      .then(() => (failure === undefined ? visitEntry(entry, visitor, failed) : void entry.resume()))
      .catch((e) => {
        fail(e)
        entry.resume()
      })
  })
  const onAbort = () => fail(cancelled(`import of ${file}`))
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (opts.signal?.aborted) onAbort()
    for await (const chunk of source) {
      if (source === raw) counted((chunk as Buffer).length)
      if (failure !== undefined) break
      if (!parser.write(chunk as Buffer)) await waitForDrain(parser, () => failure !== undefined)
    }
    if (failure === undefined) {
      await new Promise<void>((resolve) => {
        parser.once('close', resolve)
        parser.end()
      })
    }
    await chain
  } catch (e) {
    fail(
      compression !== 'none'
        ? invalidArgument(`${file}: corrupt ${compression} stream: ${(e as Error).message}`)
        : e,
    )
    // The visitor of the entry being read sees the failure and cleans up (aborts its ingest) first.
    await chain
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    raw.destroy()
    if (source !== raw) source.destroy()
  }
  if (failure !== undefined) throw failure
  if (entries === 0) throw invalidArgument(`${file}: not a tar archive, or an empty one`)
  return compression
}

/** Resolves on the parser's drain, or once `failed` says a visitor gave up (it will never drain then). */
function waitForDrain(parser: Parser, failed: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (failed()) finish()
    }, 20)
    const finish = () => {
      clearInterval(t)
      parser.off('drain', finish)
      resolve()
    }
    parser.on('drain', finish)
  })
}

async function drain(entry: ReadEntry): Promise<void> {
  entry.resume()
  await new Promise<void>((r) => entry.once('end', () => r()))
}

/** The entry's bytes, ending in the pass's failure if there is one before the entry ends. */
function guarded(entry: ReadEntry, failed: Promise<never>): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      const it = (entry as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      for (;;) {
        const r = await Promise.race([it.next(), failed])
        if (r.done) return
        yield r.value
      }
    },
  }
}

async function visitEntry(entry: ReadEntry, visitor: ArchiveVisitor, failed: Promise<never>): Promise<void> {
  const path = safeEntryPath(entry.path)
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return visitor.file(path, entry.size ?? 0, guarded(entry, failed))
    case 'Directory':
      return drain(entry)
    case 'SymbolicLink':
    case 'Link': {
      const target = entry.linkpath ?? ''
      visitor.link(path, entry.type === 'Link' ? 'hardlink' : 'symlink', target)
      return drain(entry)
    }
    default:
      // Devices, FIFOs and the like have no place in an image archive.
      throw invalidArgument(
        `archive entry ${JSON.stringify(entry.path)}: ${entry.type} entries are not allowed in an image archive`,
      )
  }
}

/** The same pass over an OCI layout directory: oci-layout, index.json and blobs/<alg>/<hex>. */
export async function readLayoutDirectory(
  dir: string,
  visitor: ArchiveVisitor,
  opts: ReadOptions = {},
): Promise<void> {
  const files: { path: string; size: number }[] = []
  const visit = (rel: string) => {
    const abs = join(dir, rel)
    const st = lstatSync(abs)
    if (st.isSymbolicLink()) {
      throw invalidArgument(`${abs}: symbolic links are not allowed in an OCI layout directory`)
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(rel ? `${rel}/${name}` : name)
    } else if (st.isFile()) {
      files.push({ path: rel, size: st.size })
    }
  }
  for (const top of ['oci-layout', 'index.json', 'manifest.json', 'repositories', 'blobs']) {
    try {
      lstatSync(join(dir, top))
    } catch {
      continue
    }
    visit(top)
  }
  const total = files.reduce((n, f) => n + f.size, 0)
  let done = 0
  for (const f of files) {
    if (opts.signal?.aborted) throw cancelled(`import of ${dir}`)
    const stream = createReadStream(join(dir, f.path), { highWaterMark: 1 << 20 })
    const body = async function* () {
      for await (const c of stream as AsyncIterable<Buffer>) {
        done += c.length
        opts.onBytes?.(done, total)
        yield c
      }
    }
    try {
      await visitor.file(f.path, f.size, body())
    } finally {
      stream.destroy()
    }
  }
}
