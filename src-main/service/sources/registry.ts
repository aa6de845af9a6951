// The sources the app knows: Berth's own store (always there, the default) and the containerd daemons
// the user added (remembered in berth.db's `sources` table), which one is active, and one open
// connection + mirror per daemon, shared by the sources that name its namespaces. While a containerd
// source is active, Berth follows the daemon's event stream: a change made there (ctr, kubelet,
// nerdctl) is synced and reaches the UI as a store.changed event, as the CLI's writes to Berth's store
// do; a slow poll covers the moments the stream is down.
import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { parseAddress } from '../../core/containerd/address'
import { ContainerdConnection } from '../../core/containerd/client'
import { daemonVersion, listNamespaces } from '../../core/containerd/daemon'
import { subscribe } from '../../core/containerd/events'
import { invalidArgument, notFound, notImplemented } from '../../core/errors'
import { validateNamespace } from '../../core/namespace'
import {
  BERTH_SOURCE,
  type AddSourceRequest,
  type DaemonInfo,
  type SourceInfo,
} from '../../../src-preload/api'
import type { ServiceContext } from '../context'
import { ContainerdSource } from './containerd-source'
import { containerdHandlers, type SourceHandlers } from './handlers'
import { mirrorFile, type SyncOptions } from './mirror'
import type { StartJob } from '../files-channels'

/** How often the active containerd source is compared with its daemon when no event said so. */
export const POLL_MS = 30_000
/** A burst of events (an import writes many) becomes one sync this long after the last. */
const EVENT_SETTLE_MS = 250
/** How soon an event stream that ended (a daemon restart) is opened again. */
const RESUBSCRIBE_MS = 2000

interface Row {
  id: string
  kind: string
  address: string
  namespace: string
  name: string
}

export interface SourcesOptions {
  /** Starts a job (Files indexing and saving on a daemon's images). */
  job?: StartJob
  /** The daemon changed something the UI shows (found by a sync). */
  onChange?: () => void
  pollMs?: number
  /** A list this soon after the last sync reads the mirror as it is (containerd-source.ts SYNC_TTL_MS). */
  syncTtlMs?: number
}

const noJobs: StartJob = () => {
  throw notImplemented('jobs are not available here')
}

export function sourceId(address: string, namespace: string): string {
  return `containerd-${createHash('sha256').update(`${address}\n${namespace}`).digest('hex').slice(0, 12)}`
}

export class Sources {
  private activeId = BERTH_SOURCE
  private readonly daemons = new Map<string, { source: ContainerdSource; handlers: SourceHandlers }>()
  private poll: ReturnType<typeof setInterval> | undefined
  private watching: AbortController | undefined
  /** The namespace the UI asked about last on the active source: what the poll keeps current. */
  private watched: string | undefined

  constructor(
    private readonly berth: ServiceContext,
    private readonly opts: SourcesOptions = {},
  ) {}

  private rows(): Row[] {
    return this.berth.db
      .prepare('SELECT id, kind, address, namespace, name FROM sources ORDER BY added_at, id')
      .all() as Row[]
  }

  private row(id: string): Row {
    const r = this.berth.db
      .prepare('SELECT id, kind, address, namespace, name FROM sources WHERE id = ?')
      .get(id) as Row | undefined
    if (!r) throw notFound(`no source ${JSON.stringify(id)}: it was removed, or never added`)
    return r
  }

  list(): SourceInfo[] {
    const own: SourceInfo = {
      id: BERTH_SOURCE,
      kind: 'berth',
      name: 'Berth',
      active: this.activeId === BERTH_SOURCE,
    }
    return [
      own,
      ...this.rows().map((r) => ({
        id: r.id,
        kind: 'containerd' as const,
        name: r.name,
        address: r.address,
        namespace: r.namespace,
        active: r.id === this.activeId,
      })),
    ]
  }

  private info(id: string): SourceInfo {
    return this.list().find((s) => s.id === id)!
  }

  /** Who answers at the address, and its namespaces: what the Add dialog shows before adding. */
  async daemon(address: string): Promise<DaemonInfo> {
    const a = parseAddress(address, null)
    const open = this.daemons.get(a.path)
    const conn = open?.source.conn ?? new ContainerdConnection(a)
    try {
      const v = await daemonVersion(conn)
      const namespaces = open
        ? await open.handlers['namespaces.list']()
        : (await listNamespaces(conn)).map((n) => ({ name: n.name, images: 0, blobs: 0 }))
      return { address: a.path, version: v.version, namespaces }
    } finally {
      if (!open) conn.close()
    }
  }

  async add(req: AddSourceRequest): Promise<SourceInfo> {
    const ns = validateNamespace(req.namespace)
    const d = await this.daemon(req.address)
    if (!d.namespaces.some((n) => n.name === ns)) {
      throw invalidArgument(
        `containerd at ${d.address} has no namespace ${ns} (it has ${d.namespaces.map((n) => n.name).join(', ') || 'none'})`,
      )
    }
    const id = sourceId(d.address, ns)
    const name = (req.name ?? '').trim() || `containerd · ${ns}`
    this.berth.db
      .prepare(
        `INSERT INTO sources (id, kind, address, namespace, name, added_at) VALUES (?, 'containerd', ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
      )
      .run(id, d.address, ns, name.slice(0, 200), Date.now())
    return this.info(id)
  }

  remove(id: string): boolean {
    if (id === BERTH_SOURCE) throw invalidArgument("Berth's own store cannot be removed from the sources")
    const r = this.rows().find((x) => x.id === id)
    if (!r) return false
    if (this.activeId === id) this.switchTo(BERTH_SOURCE)
    this.berth.db.prepare('DELETE FROM sources WHERE id = ?').run(id)
    // The mirror is only a cache: once no source names the daemon, it goes.
    if (!this.rows().some((x) => x.address === r.address)) {
      this.daemons.get(r.address)?.source.close()
      this.daemons.delete(r.address)
      const file = mirrorFile(this.berth.root, r.address)
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
    }
    return true
  }

  /** Makes a source the active one; a daemon that does not answer is refused, and the active one stays. */
  async switch(id: string): Promise<SourceInfo> {
    if (id !== BERTH_SOURCE) await daemonVersion(this.open(id).source.conn)
    this.switchTo(id)
    return this.info(id)
  }

  private switchTo(id: string): void {
    this.activeId = id
    this.watched = undefined
    clearInterval(this.poll)
    this.poll = undefined
    this.watching?.abort()
    this.watching = undefined
    if (id === BERTH_SOURCE) return
    const ac = new AbortController()
    this.watching = ac
    void this.watch(id, ac.signal)
    // A safety net under the event stream (which a daemon restart ends until it is re-opened).
    this.poll = setInterval(() => void this.refresh(), this.opts.pollMs ?? POLL_MS)
    this.poll.unref?.()
  }

  /**
   * Follows the daemon's image and content events while the source is active: each burst in the
   * namespace the UI shows is one sync (and, when it changed the mirror, one store.changed). A blob
   * deleted under an unchanged image record (`ctr content rm`) makes that image partial and only the blob
   * records say so: a /content/delete re-reads them too (not every content event: a pull's writes would
   * re-read a namespace's blob records again and again, and its image update re-reads them anyway).
   */
  private async watch(id: string, signal: AbortSignal): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    let blobs = false
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true })
    while (!signal.aborted) {
      try {
        const conn = this.open(id).source.conn
        for await (const e of subscribe(conn, ['topic~="^/(images|content)/"'], { signal })) {
          if (e.namespace !== this.watched) continue
          blobs ||= e.topic === '/content/delete'
          clearTimeout(timer)
          timer = setTimeout(() => {
            void this.refresh(0, blobs ? 'always' : undefined)
            blobs = false
          }, EVENT_SETTLE_MS)
        }
      } catch {
        // The daemon went away (or has no events service): the poll keeps the list current meanwhile.
      }
      await new Promise<void>((r) => setTimeout(r, RESUBSCRIBE_MS).unref?.())
    }
  }

  private async refresh(maxAgeMs?: number, content?: SyncOptions['content']): Promise<void> {
    const active = this.activeDaemon()
    if (!active || !this.watched) return
    try {
      await active.source.fresh(this.watched, { maxAgeMs, content })
    } catch {
      // A daemon that stopped: the next call the UI makes says so.
    }
  }

  /** The open daemon behind a containerd source (connected and mirrored on first use). */
  open(id: string): { source: ContainerdSource; handlers: SourceHandlers } {
    const r = this.row(id)
    let d = this.daemons.get(r.address)
    if (!d) {
      const source = new ContainerdSource(r.address, {
        root: this.berth.root,
        host: this.berth.host,
        now: this.berth.now,
        syncTtlMs: this.opts.syncTtlMs,
        onSynced: (_ns, changed) => {
          if (changed.images + changed.content > 0) this.opts.onChange?.()
        },
      })
      d = { source, handlers: containerdHandlers(source, this.opts.job ?? noJobs) }
      this.daemons.set(r.address, d)
    }
    return d
  }

  private activeDaemon(): { source: ContainerdSource; handlers: SourceHandlers } | null {
    return this.activeId === BERTH_SOURCE ? null : this.open(this.activeId)
  }

  /** The active source's handlers, or null for Berth's own; `ns` is remembered for the poll. */
  active(ns?: string): SourceHandlers | null {
    const d = this.activeDaemon()
    if (d && ns) this.watched = ns
    return d?.handlers ?? null
  }

  close(): void {
    clearInterval(this.poll)
    this.watching?.abort()
    for (const d of this.daemons.values()) d.source.close()
    this.daemons.clear()
  }
}
