// The import's single pass lands here: every blob streams into the content store under the import's
// lease as it arrives (verified against its file name), small metadata files are kept in memory, and
// what was added is remembered so a failed import can take it back out.
import { createHash, type Hash } from 'node:crypto'
import type { ContentStore, Writer } from '../content/store'
import { BerthError, failedPrecondition, invalidArgument, isKind } from '../errors'
import { DIGEST_ALGORITHMS, parseDigest, type Digest, type DigestAlgorithm } from '../oci'
import { COMPRESSION_HEAD_BYTES, detectCompression, type Compression } from '../compression'
import type { ArchiveVisitor } from './archive'

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

export type ImportStore = Pick<ContentStore, 'info' | 'writer' | 'abort' | 'delete' | 'update' | 'provider'>

export class ArchiveContents implements ArchiveVisitor {
  readonly meta = new Map<string, Buffer>()
  readonly files = new Map<string, StoredFile>()
  readonly links = new Map<string, Link>()
  /** Blobs this import added to the namespace: removed again if it fails. */
  readonly added = new Set<Digest>()
  private seq = 0

  constructor(
    private readonly cs: ImportStore,
    private readonly ns: string,
    private readonly lease: string,
    private readonly onEntry?: (path: string) => void,
  ) {}

  /**
   * Size of a blob the import can use: from this archive, or already in the namespace. One already
   * there joins the import's lease, so a GC running meanwhile cannot take it.
   */
  async blobSize(d: Digest): Promise<number | undefined> {
    try {
      return (await this.cs.info(this.ns, d, { lease: this.lease })).size
    } catch (e) {
      if (isKind(e, 'not-found')) return undefined
      throw e
    }
  }

  link(path: string, kind: 'symlink' | 'hardlink', target: string): void {
    this.links.set(path, { kind, target })
  }

  async file(path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.onEntry?.(path)
    if (META_FILES.has(path)) return this.metaFile(path, size, body)
    if (LEGACY.test(path) && !path.startsWith('blobs/')) {
      for await (const _ of body) void _
      return
    }
    const expected = path.startsWith('blobs/') ? blobDigest(path) : undefined
    const stored = await this.ingest(path, size, body, expected)
    const prev = this.files.get(path)
    if (prev && prev.digest !== stored.digest) {
      throw invalidArgument(
        `archive has two entries named ${path} with different content (${prev.digest}, ${stored.digest})`,
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

  private async ingest(
    path: string,
    size: number,
    body: AsyncIterable<Uint8Array>,
    expected?: Digest,
  ): Promise<StoredFile> {
    const alg = (expected ? expected.slice(0, expected.indexOf(':')) : 'sha256') as DigestAlgorithm
    const hash = createHash(alg)
    const head: Uint8Array[] = []
    let headLen = 0
    const keepHead = (c: Uint8Array) => {
      if (headLen < COMPRESSION_HEAD_BYTES) {
        head.push(c.subarray(0, COMPRESSION_HEAD_BYTES))
        headLen += Math.min(COMPRESSION_HEAD_BYTES, c.length)
      }
    }
    const note = (c: Uint8Array) => {
      hash.update(c)
      keepHead(c)
    }
    const done = (digest: Digest): StoredFile => ({
      digest,
      size,
      compression: detectCompression(Buffer.concat(head)),
    })
    if (expected && (await this.blobSize(expected)) !== undefined) {
      // Already in the namespace: the bytes still have to be what the name says.
      for await (const c of body) note(c)
      return done(check(path, expected, hash))
    }
    const ref = `import-${this.lease}-${++this.seq}`
    let w: Writer | undefined
    try {
      w = await this.cs.writer(this.ns, { ref, desc: { size, digest: expected }, lease: this.lease })
    } catch (e) {
      if (!isKind(e, 'already-exists')) throw e
    }
    if (!w) {
      for await (const c of body) note(c)
      return done(check(path, expected!, hash))
    }
    try {
      const st = await w.status()
      const prefilled = expected !== undefined && st.offset === size && size > 0
      if (st.offset > 0 && !prefilled) await w.truncate(0)
      // The writer hashes what it writes (sha256): hash again only when it cannot tell us.
      const own = prefilled || alg !== 'sha256'
      for await (const c of body) {
        if (own) note(c)
        else keepHead(c)
        if (!prefilled) await w.write(c)
      }
      const actual = own
        ? expected
          ? check(path, expected, hash)
          : (`${alg}:${hash.digest('hex')}` as Digest)
        : w.digest()
      if (expected && actual !== expected) {
        throw failedPrecondition(
          `blob ${path} in the archive does not match its name: its content has digest ${actual}`,
        )
      }
      try {
        await w.commit(size, actual)
        this.added.add(actual)
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
      }
      w = undefined
      return done(actual)
    } catch (e) {
      if (w) {
        await w.close().catch(() => undefined)
        await this.cs.abort(this.ns, ref).catch(() => undefined)
      }
      throw e instanceof BerthError
        ? e
        : invalidArgument(`reading ${path} from the archive: ${(e as Error).message}`, e)
    }
  }

  /** Takes the blobs this import added back out of the namespace (their files go at the next GC). */
  async rollback(): Promise<void> {
    for (const d of this.added) await this.cs.delete(this.ns, d).catch(() => undefined)
    this.added.clear()
  }
}

function check(path: string, expected: Digest, hash: Hash): Digest {
  const actual = `${expected.slice(0, expected.indexOf(':'))}:${hash.digest('hex')}`
  if (actual !== expected) {
    throw failedPrecondition(
      `blob ${path} in the archive does not match its name: its content has digest ${actual}`,
    )
  }
  return expected
}

/** `blobs/<alg>/<encoded>` → the digest its name promises; InvalidArgument for anything else under blobs/. */
export function blobDigest(path: string): Digest {
  const parts = path.split('/')
  if (parts.length !== 3 || !(parts[1] in DIGEST_ALGORITHMS)) {
    throw invalidArgument(`archive entry ${path}: not a blob name (want blobs/<algorithm>/<hex>)`)
  }
  try {
    return parseDigest(`${parts[1]}:${parts[2]}`)
  } catch (e) {
    throw invalidArgument(`archive entry ${path}: not a blob name: ${(e as Error).message}`)
  }
}
