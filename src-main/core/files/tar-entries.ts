// The entries of an uncompressed layer tar, read with the `tar` package's parser: headers (ustar, GNU and
// PAX long names) become LayerEntry values in tar order; a body is passed on only when the visitor asks for
// it, so indexing skips every byte of content. Bounded (entry count, name and link length) and strict: a
// bad checksum, a truncated entry or bytes that are no tar at all fail with a message naming the layer.
import { once } from 'node:events'
import { Parser, type ReadEntry } from 'tar'
import { invalidArgument, type BerthError } from '../errors'
import { detectCompression } from '../compression'
import type { FileType, LayerEntry } from './entry'
import { cleanPath, whiteoutOf } from './paths'

export interface EntryLimits {
  /** Most entries one layer may hold. */
  maxEntries: number
  /** Longest path or link target, in UTF-8 bytes (PATH_MAX). */
  maxName: number
}

export const DEFAULT_LIMITS: EntryLimits = { maxEntries: 1_000_000, maxName: 4096 }

export interface EntryVisitor {
  /** Every entry in tar order; return true to be handed its body. */
  entry(e: LayerEntry): boolean
  body?(chunk: Buffer): void
  bodyEnd?(): void
}

const TYPES: Record<string, FileType> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  GNUDumpDir: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
}

/** The header fields the parser hands its filter (a ReadEntry, typed loosely by the package). */
type Header = Pick<ReadEntry, 'type' | 'path' | 'mode' | 'uid' | 'gid' | 'size' | 'mtime' | 'linkpath'>

export class TarEntries {
  private readonly parser: Parser
  private seq = 0
  private failure: BerthError | null = null
  private sawEnd = false
  private first = true

  constructor(
    private readonly where: string,
    private readonly visitor: EntryVisitor,
    private readonly limits: EntryLimits = DEFAULT_LIMITS,
  ) {
    this.parser = new Parser({
      // The layer is inflated before it gets here; the parser must not guess at compression itself.
      zstd: false,
      brotli: false,
      maxMetaEntrySize: 1 << 20,
      filter: (_path, entry) => this.visit(entry as unknown as Header),
    })
    this.parser.on('eof', () => (this.sawEnd = true))
    this.parser.on('warn', (code: string, message: string) => {
      // An empty layer is two zero blocks: legal, though the parser calls it unrecognized.
      // So is a layer of no bytes at all: a tar reader sees the end of the archive at once.
      if (code === 'TAR_BAD_ARCHIVE' && /Unrecognized/.test(message) && this.seq === 0) {
        if (this.sawEnd || this.first) return
      }
      this.fail(`${this.where} is not a valid tar: ${message}`)
    })
    this.parser.on('ignoredEntry', (e: ReadEntry) => {
      // The parser drops a PAX or GNU long-name header above its size bound and goes on with the
      // truncated name: that would index a different path than an unpacker extracts.
      if (e.meta) this.fail(`${this.where}: a ${e.type} header of ${e.size} bytes is larger than 1 MiB`)
    })
    this.parser.on('entry', (e: ReadEntry) => {
      e.on('data', (c: Buffer) => this.visitor.body?.(c))
      e.on('end', () => this.visitor.bodyEnd?.())
    })
  }

  /** Entries seen so far. */
  get count(): number {
    return this.seq
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.first) {
      this.first = false
      // A tar opens with a file name; compression magic here means the layer was compressed twice.
      if (detectCompression(chunk) !== 'none') this.fail(`${this.where} is compressed twice: not a tar`)
    }
    this.check()
    const more = this.parser.write(chunk)
    this.check()
    if (!more) await once(this.parser, 'drain')
  }

  async end(): Promise<void> {
    this.check()
    const done = once(this.parser, 'end')
    this.parser.end()
    await done
    this.check()
  }

  private fail(message: string): void {
    this.failure ??= invalidArgument(message)
  }

  private check(): void {
    if (this.failure) throw this.failure
  }

  private visit(h: Header): boolean {
    const seq = this.seq++
    if (this.failure) return false
    if (seq >= this.limits.maxEntries) {
      this.fail(`${this.where} has more than ${this.limits.maxEntries} entries: refusing to index it`)
      return false
    }
    if (tooLong(h.path, this.limits.maxName) || tooLong(h.linkpath ?? '', this.limits.maxName)) {
      this.fail(
        `${this.where}: entry ${seq} has a name or link target longer than ${this.limits.maxName} bytes`,
      )
      return false
    }
    const type = TYPES[h.type] ?? 'file'
    const path = cleanPath(h.path)
    const wh = type === 'file' ? whiteoutOf(path) : null
    if (wh === 'skip') return false
    const e: LayerEntry = {
      path: wh ? wh.path : path,
      type: wh ? wh.kind : type,
      mode: (h.mode ?? 0) & 0o7777,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: type === 'file' && !wh ? (h.size ?? 0) : 0,
      mtime: seconds(h.mtime),
      link: type === 'hardlink' ? cleanPath(h.linkpath ?? '') : type === 'symlink' ? (h.linkpath ?? '') : '',
      seq,
    }
    return this.visitor.entry(e)
  }
}

function seconds(d: Date | undefined): number {
  const t = d ? d.getTime() : 0
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0
}

function tooLong(s: string, max: number): boolean {
  // Characters are at most 3 UTF-8 bytes each (4 for a surrogate pair of 2), so only long strings need counting.
  return s.length * 3 > max && Buffer.byteLength(s) > max
}
