// One containerd daemon as a place images live: a connection to its socket, the mirror of its records
// (mirror.ts), and a ServiceContext over the two — the mirror's tables for every read, the daemon's
// Content service for every byte and every content-label change. The read use cases (images-list,
// summaries, image-details, tree, matrix, content) take this context exactly as they take Berth's own;
// image writes go to the daemon through handlers.ts, which then puts the daemon's answer in the mirror.
import { ContainerdConnection } from '../../core/containerd/client'
import { daemonProvider, updateContent } from '../../core/containerd/content'
import type { Database } from '../../core/db'
import { failedPrecondition } from '../../core/errors'
import { ImageStore, type Image, type ImageInput } from '../../core/images/store'
import { validateNamespace } from '../../core/namespace'
import type { Platform } from '../../core/oci'
import type { ServiceContext } from '../context'
import { openMirror, putContent, syncNamespace, type SyncOptions, type SyncResult } from './mirror'

/** A list within this long of the last sync reads the mirror as it is (pages of one scroll, a details view). */
export const SYNC_TTL_MS = 2000

/**
 * The mirror's image store refuses writes: a write that reached only the mirror would show the user an
 * image the daemon does not have. Writes go to the daemon (handlers.ts) and come back through putImage.
 */
class MirrorImageStore extends ImageStore {
  private refuse(): never {
    throw failedPrecondition('a containerd source is changed through the daemon, never in its mirror')
  }
  override create(_ns: string, _img: ImageInput): Image {
    return this.refuse()
  }
  override update(_ns: string, _img: ImageInput, ..._paths: string[]): Image {
    return this.refuse()
  }
  override delete(): void {
    this.refuse()
  }
}

export interface SourceOptions {
  /** Berth's root: the mirror lives in <root>/sources/. */
  root: string
  host?: Platform
  now?: () => Date
  syncTtlMs?: number
  /** After each sync, with what it changed in the mirror. */
  onSynced?: (ns: string, changed: SyncResult) => void
}

export class ContainerdSource {
  readonly conn: ContainerdConnection
  private mirror: { db: Database; ctx: ServiceContext } | undefined
  private readonly inflight = new Map<string, Promise<SyncResult>>()
  private readonly syncedAt = new Map<string, number>()
  private readonly contentAt = new Map<string, number>()

  constructor(
    address: string,
    private readonly opts: SourceOptions,
  ) {
    this.conn = new ContainerdConnection(address)
  }

  /** The mirror's database, opened on first use (a copy or `ls -q` needs only the connection). */
  get db(): Database {
    return this.open().db
  }

  get ctx(): ServiceContext {
    return this.open().ctx
  }

  private open(): { db: Database; ctx: ServiceContext } {
    if (this.mirror) return this.mirror
    const db = openMirror(this.opts.root, this.conn.name)
    const has = db.prepare('SELECT 1 FROM content WHERE namespace = ? AND digest = ?').pluck()
    const ctx: ServiceContext = {
      db,
      images: new MirrorImageStore(db),
      content: {
        // Presence is the mirror's (synced moments ago); bytes are the daemon's, verified on read.
        provider: (ns) => daemonProvider(this.conn, ns, async (d) => has.get(ns, d.digest) !== undefined),
        update: async (ns, info, ...fieldpaths) => {
          const r = await updateContent(this.conn, ns, info, fieldpaths)
          putContent(db, ns, r)
          return r
        },
      },
      root: this.opts.root,
      // No garbage collection ever runs over a mirror: the daemon collects its own.
      storeRoot: '',
      host: this.opts.host,
      now: this.opts.now,
    }
    this.mirror = { db, ctx }
    return this.mirror
  }

  /** The socket path that names this daemon. */
  get address(): string {
    return this.conn.name
  }

  /**
   * Syncs the namespace unless that happened within `maxAgeMs`; concurrent callers share one sync.
   * `content: 'always'` also re-reads the blob records (when they were not within `maxAgeMs`).
   */
  async fresh(
    nsIn: string,
    opts: { content?: SyncOptions['content']; maxAgeMs?: number } = {},
  ): Promise<SyncResult | null> {
    const ns = validateNamespace(nsIn)
    const maxAge = opts.maxAgeMs ?? this.opts.syncTtlMs ?? SYNC_TTL_MS
    const running = this.inflight.get(ns)
    if (running && opts.content !== 'always') return running
    const age = (m: Map<string, number>) => Date.now() - (m.get(ns) ?? 0)
    if (age(this.syncedAt) < maxAge && (opts.content !== 'always' || age(this.contentAt) < maxAge))
      return null
    return this.sync(ns, opts.content)
  }

  /** Syncs now (after a write whose effects reach beyond one record, such as a delete's GC). */
  sync(ns: string, content: SyncOptions['content'] = 'with-images'): Promise<SyncResult> {
    const running = this.inflight.get(ns)
    if (running) return running.then(() => this.sync(ns, content))
    const p = syncNamespace(this.conn, this.db, validateNamespace(ns), { content })
      .then((r) => {
        const now = Date.now()
        this.syncedAt.set(ns, now)
        if (content === 'always' || r.images > 0) this.contentAt.set(ns, now)
        this.opts.onSynced?.(ns, r)
        return r
      })
      .finally(() => this.inflight.delete(ns))
    this.inflight.set(ns, p)
    return p
  }

  close(): void {
    this.conn.close()
    if (this.mirror?.db.open) this.mirror.db.close()
  }
}
