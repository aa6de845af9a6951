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
import { defaultMaxUncompressed } from '../images/diffid'
import { quoteName } from '../quote'
import { paxRecordProblem } from './tar-pax'

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
  /** Most entries (files, directories, links) the archive may hold; default MAX_ARCHIVE_ENTRIES. */
  maxEntries?: number
  /**
   * Most bytes a compressed archive may expand to once `compressed` bytes of it were read; default the
   * diff-ID path's bound (128× plus 256 MiB), so a decompression bomb stops early.
   */
  maxExpanded?: (compressed: number) => number
}

/**
 * An image archive holds one entry per blob plus a few metadata files: 100,000 is far past any real one
 * (ten thousand images of ten blobs each) and stops a junk archive from running for many minutes.
 */
export const MAX_ARCHIVE_ENTRIES = 100_000

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
  const where = `archive entry ${quoteName(raw)}`
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
  const msg = JSON.stringify(e.message ?? String(e)).slice(1, -1)
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
  const maxEntries = opts.maxEntries ?? MAX_ARCHIVE_ENTRIES
  const maxExpanded = opts.maxExpanded ?? defaultMaxUncompressed
  // Aborted on the first failure, so a visitor blocked on an entry that will never get more bytes (the
  // pass stopped feeding the parser) fails too and cleans up after itself. One listener per entry, not a
  // promise raced per chunk: a race against a promise that never settles keeps every chunk's handlers alive.
  const pass = new AbortController()
  const fail = (e: unknown) => {
    if (failure !== undefined) return
    failure = e
    pass.abort(e)
  }
  parser.on('error', (e: Error) => fail(tarError(file, e)))
  parser.on('meta', (raw: string) => {
    const problem = paxRecordProblem(raw)
    if (problem) fail(invalidArgument(`${file}: malformed tar header: ${problem}`))
  })
  parser.on('entry', (entry: ReadEntry) => {
    if (++entries > maxEntries) {
      fail(
        invalidArgument(
          `${file}: the archive has more than ${maxEntries} entries; an image archive holds one per blob and a few metadata files, so this is refused as junk`,
        ),
      )
    }
    chain = chain
      .then(() => (failure === undefined ? visitEntry(entry, visitor, pass.signal) : void entry.resume()))
      .catch((e) => {
        fail(e)
        entry.resume()
      })
  })
  const onAbort = () => fail(cancelled(`import of ${file}`))
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  let expanded = 0
  try {
    if (opts.signal?.aborted) onAbort()
    for await (const chunk of source) {
      const c = chunk as Buffer
      if (source === raw) counted(c.length)
      else if ((expanded += c.length) > maxExpanded(done)) {
        fail(
          invalidArgument(
            `${file}: the ${compression} stream expands to more than ${maxExpanded(done)} bytes from ${done} compressed bytes; refusing it as a likely decompression bomb`,
          ),
        )
      }
      if (failure !== undefined) break
      if (!parser.write(c)) await waitForDrain(parser, pass.signal)
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

/** Resolves on the parser's drain, or once the pass fails (the parser will never drain then). */
function waitForDrain(parser: Parser, failed: AbortSignal): Promise<void> {
  if (failed.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const finish = () => {
      failed.removeEventListener('abort', finish)
      parser.off('drain', finish)
      resolve()
    }
    failed.addEventListener('abort', finish, { once: true })
    parser.on('drain', finish)
  })
}

async function drain(entry: ReadEntry): Promise<void> {
  entry.resume()
  await new Promise<void>((r) => entry.once('end', () => r()))
}

/**
 * The entry's bytes, ending in the pass's failure if there is one before the entry ends. The abort turns
 * into an error on the entry only while a read is pending (its iterator listens then); otherwise the next
 * turn of the loop sees it.
 */
async function* guarded(entry: ReadEntry, failed: AbortSignal): AsyncGenerator<Uint8Array> {
  const it = (entry as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
  const interrupt = () => {
    if (entry.listenerCount('error') > 0) entry.emit('error', failed.reason)
  }
  failed.addEventListener('abort', interrupt, { once: true })
  try {
    for (;;) {
      failed.throwIfAborted()
      const r = await it.next()
      if (r.done) return
      yield r.value
    }
  } finally {
    failed.removeEventListener('abort', interrupt)
  }
}

async function visitEntry(entry: ReadEntry, visitor: ArchiveVisitor, failed: AbortSignal): Promise<void> {
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
        `archive entry ${quoteName(entry.path)}: ${entry.type} entries are not allowed in an image archive`,
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
  const maxEntries = opts.maxEntries ?? MAX_ARCHIVE_ENTRIES
  let entries = 0
  const visit = (rel: string) => {
    const abs = join(dir, rel)
    if (++entries > maxEntries) {
      throw invalidArgument(
        `${dir}: the layout has more than ${maxEntries} files and directories; an image layout holds one per blob and a few metadata files, so this is refused as junk`,
      )
    }
    const st = lstatSync(abs)
    if (st.isSymbolicLink()) {
      throw invalidArgument(`${quoteName(abs)}: symbolic links are not allowed in an OCI layout directory`)
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
