// The import's single pass lands here. Small metadata files are kept in memory; every other entry is
// hashed (and checked against its blobs/ name) as it streams past. Small entries go to the import's spool
// and reach the content store only if the walk visits them (materialize); large ones stream straight into
// the store under the import's lease. What was added is remembered: a failed import takes it back out,
// a finished one takes out what no image reached (other platforms, junk), so nothing claims more than
// the store keeps.
import { createHash, type Hash } from 'node:crypto'
import { batchedWrites } from '../content/batched-writes'
import { writeBlob, type ContentStore, type Writer } from '../content/store'
import { BerthError, failedPrecondition, invalidArgument, isKind } from '../errors'
import { DIGEST_ALGORITHMS, parseDigest, type Descriptor, type Digest, type DigestAlgorithm } from '../oci'
import { COMPRESSION_HEAD_BYTES, detectCompression, type Compression } from '../compression'
import type { ArchiveVisitor } from './archive'
import { quoteName } from '../quote'
import type { SpaceGuard } from './space'
import { SPOOL_MAX_ENTRY, type Spool, type Spooled } from './spool'

/** containerd decodes archive JSON documents through a 20 MiB limit. */
export const MAX_JSON_FILE = 20 << 20
export const META_FILES = new Set(['index.json', 'oci-layout', 'manifest.json', 'repositories'])
/** Legacy `docker save` per-layer files nothing reads any more. */
const LEGACY = /(^|\/)(VERSION|json)$/

export interface StoredFile {
  digest: Digest
  size: number
  /** Compression of the file's first bytes, for docker-save layers. */
  compression: Compression
}

export interface Link {
  kind: 'symlink' | 'hardlink'
  target: string
}

export type ImportStore = Pick<
  ContentStore,
  'info' | 'writer' | 'abort' | 'delete' | 'update' | 'provider' | 'root'
>

export interface ContentsOptions {
  spool: Spool
  space: SpaceGuard
  onEntry?: (path: string) => void
}

export class ArchiveContents implements ArchiveVisitor {
  readonly meta = new Map<string, Buffer>()
  readonly files = new Map<string, StoredFile>()
  readonly links = new Map<string, Link>()
  /** Blobs this import added to the namespace: removed again if it fails. */
  readonly added = new Set<Digest>()
  /** Entries waiting in the spool, by digest, until the walk reaches them. */
  private readonly spooled = new Map<Digest, Spooled>()
  private seq = 0

  constructor(
    private readonly cs: ImportStore,
    private readonly ns: string,
    private readonly lease: string,
    private readonly opts: ContentsOptions,
  ) {}

  /** Size of a blob the import can use: spooled from this archive, or in the namespace. */
  async blobSize(d: Digest): Promise<number | undefined> {
    const s = this.spooled.get(d)
    if (s) return s.size
    return this.storedSize(d)
  }

  /** A blob already in the namespace joins the import's lease, so a GC running meanwhile cannot take it. */
  private async storedSize(d: Digest): Promise<number | undefined> {
    try {
      return (await this.cs.info(this.ns, d, { lease: this.lease })).size
    } catch (e) {
      if (isKind(e, 'not-found')) return undefined
      throw e
    }
  }

  /** Commits a spooled blob to the namespace (under the lease), so the walk can read and label it. */
  async materialize(d: Digest, mediaType: string): Promise<void> {
    const at = this.spooled.get(d)
    if (!at) return
    await this.storeDocument(await this.opts.spool.read(at), { mediaType, digest: d, size: at.size })
  }

  /** Stores a document the import generated or buffered (index.json, a docker-save manifest). */
  async storeDocument(data: Uint8Array, desc: Descriptor): Promise<void> {
    this.spooled.delete(desc.digest)
    if ((await this.storedSize(desc.digest)) !== undefined) return
    await writeBlob(
      this.cs as Parameters<typeof writeBlob>[0],
      this.ns,
      `import-${this.lease}-${desc.digest}`,
      data,
      desc,
      { lease: this.lease },
    )
    this.added.add(desc.digest)
  }

  link(path: string, kind: 'symlink' | 'hardlink', target: string): void {
    this.links.set(path, { kind, target })
  }

  async file(path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.opts.onEntry?.(path)
    if (!Number.isSafeInteger(size) || size < 0) {
      throw invalidArgument(`archive entry ${quoteName(path)} declares an impossible size (${size})`)
    }
    if (META_FILES.has(path)) return this.metaFile(path, size, body)
    if (LEGACY.test(path) && !path.startsWith('blobs/')) {
      for await (const _ of body) void _
      return
    }
    const expected = path.startsWith('blobs/') ? blobDigest(path) : undefined
    const stored = await this.take(path, size, body, expected)
    const prev = this.files.get(path)
    if (prev && prev.digest !== stored.digest) {
      throw invalidArgument(
        `archive has two entries named ${quoteName(path)} with different content (${prev.digest}, ${stored.digest})`,
      )
    }
    this.files.set(path, stored)
  }

  private async metaFile(path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    if (size > MAX_JSON_FILE) {
      throw invalidArgument(
        `${path} is ${size} bytes, over the ${MAX_JSON_FILE}-byte limit for archive metadata`,
      )
    }
    const parts: Buffer[] = []
    for await (const c of body) parts.push(Buffer.from(c))
    const data = Buffer.concat(parts)
    const prev = this.meta.get(path)
    if (prev && !prev.equals(data))
      throw invalidArgument(`archive has two entries named ${path} with different content`)
    this.meta.set(path, data)
  }

  /** Hashes one entry and keeps its bytes where they belong: nowhere (already here), the spool, or the store. */
  private async take(
    path: string,
    size: number,
    body: AsyncIterable<Uint8Array>,
    expected?: Digest,
  ): Promise<StoredFile> {
    const alg = (expected ? expected.slice(0, expected.indexOf(':')) : 'sha256') as DigestAlgorithm
    const sniff = new Sniffer(createHash(alg))
    const done = (digest: Digest): StoredFile => ({ digest, size, compression: sniff.compression() })
    if (expected && (await this.storedSize(expected)) !== undefined) {
      // Already in the namespace: the bytes still have to be what the name says.
      for await (const c of body) sniff.hashed(c)
      return done(check(path, expected, sniff.hash))
    }
    if (size <= SPOOL_MAX_ENTRY) {
      this.opts.space.reserve(size, path)
      const at = await this.opts.spool.append(body, (c) => sniff.hashed(c))
      const digest = expected ? check(path, expected, sniff.hash) : hashDigest(alg, sniff.hash)
      if (!this.spooled.has(digest) && (await this.storedSize(digest)) === undefined) {
        this.spooled.set(digest, at)
      }
      return done(digest)
    }
    this.opts.space.reserve(size, path)
    return done(await this.ingest(path, size, body, sniff, expected))
  }

  /** Streams a large entry into the store (resuming nothing: the ref is this import's own). */
  private async ingest(
    path: string,
    size: number,
    body: AsyncIterable<Uint8Array>,
    sniff: Sniffer,
    expected?: Digest,
  ): Promise<Digest> {
    const alg = (expected ? expected.slice(0, expected.indexOf(':')) : 'sha256') as DigestAlgorithm
    const ref = `import-${this.lease}-${++this.seq}`
    let w: Writer | undefined
    try {
      w = await this.cs.writer(this.ns, { ref, desc: { size, digest: expected }, lease: this.lease })
    } catch (e) {
      if (!isKind(e, 'already-exists')) throw e
    }
    if (!w) {
      for await (const c of body) sniff.hashed(c)
      return check(path, expected!, sniff.hash)
    }
    try {
      const st = await w.status()
      const prefilled = expected !== undefined && st.offset === size && size > 0
      if (st.offset > 0 && !prefilled) await w.truncate(0)
      // The writer hashes what it writes (sha256): hash again only when it cannot tell us.
      const own = prefilled || alg !== 'sha256'
      const sink = batchedWrites(w)
      for await (const c of body) {
        if (own) sniff.hashed(c)
        else sniff.head(c)
        if (!prefilled) await sink.push(c)
      }
      await sink.flush()
      const actual = own
        ? expected
          ? check(path, expected, sniff.hash)
          : hashDigest(alg, sniff.hash)
        : w.digest()
      if (expected && actual !== expected) throw mismatch(path, actual)
      try {
        await w.commit(size, actual)
        this.added.add(actual)
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
      }
      w = undefined
      return actual
    } catch (e) {
      if (w) {
        await w.close().catch(() => undefined)
        await this.cs.abort(this.ns, ref).catch(() => undefined)
      }
      throw e instanceof BerthError
        ? e
        : invalidArgument(`reading ${quoteName(path)} from the archive: ${(e as Error).message}`, e)
    }
  }

  /** After a successful walk: takes out what this import added but no image reached. */
  async pruneUnreached(reached: ReadonlySet<string>): Promise<number> {
    let n = 0
    for (const d of [...this.added]) {
      if (reached.has(d)) continue
      await this.cs.delete(this.ns, d).catch(() => undefined)
      this.added.delete(d)
      n++
    }
    return n
  }

  /** Takes the blobs this import added back out of the namespace (their files go at the next GC). */
  async rollback(): Promise<void> {
    for (const d of this.added) await this.cs.delete(this.ns, d).catch(() => undefined)
    this.added.clear()
  }
}

/** A hash over an entry's bytes, and its first bytes for telling compression apart. */
class Sniffer {
  private readonly first: Uint8Array[] = []
  private firstLen = 0

  constructor(readonly hash: Hash) {}

  hashed(c: Uint8Array): void {
    this.hash.update(c)
    this.head(c)
  }

  head(c: Uint8Array): void {
    if (this.firstLen >= COMPRESSION_HEAD_BYTES) return
    this.first.push(c.subarray(0, COMPRESSION_HEAD_BYTES))
    this.firstLen += Math.min(COMPRESSION_HEAD_BYTES, c.length)
  }

  compression(): Compression {
    return detectCompression(Buffer.concat(this.first))
  }
}

const hashDigest = (alg: DigestAlgorithm, hash: Hash): Digest => `${alg}:${hash.digest('hex')}`

function mismatch(path: string, actual: string): BerthError {
  return failedPrecondition(
    `blob ${quoteName(path)} in the archive does not match its name: its content has digest ${actual}`,
  )
}

function check(path: string, expected: Digest, hash: Hash): Digest {
  const actual = hashDigest(expected.slice(0, expected.indexOf(':')) as DigestAlgorithm, hash)
  if (actual !== expected) throw mismatch(path, actual)
  return expected
}

/** `blobs/<alg>/<encoded>` → the digest its name promises; InvalidArgument for anything else under blobs/. */
export function blobDigest(path: string): Digest {
  const parts = path.split('/')
  if (parts.length !== 3 || !Object.hasOwn(DIGEST_ALGORITHMS, parts[1])) {
    throw invalidArgument(`archive entry ${quoteName(path)}: not a blob name (want blobs/<algorithm>/<hex>)`)
  }
  try {
    return parseDigest(`${parts[1]}:${parts[2]}`)
  } catch (e) {
    // parseDigest quotes the text raw: keep only its reason.
    const why = (e as Error).message.replace(/^invalid digest "[\s\S]*": /, '')
    throw invalidArgument(`archive entry ${quoteName(path)}: not a blob name: ${why}`)
  }
}
