// The image store: containerd's metadata image store (core/metadata/images.go) over SQLite.
// Every rule here is containerd-semantics.md §a; the comments say where containerd's behaviour is
// not obvious.
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../db'
import { markDirty, touchNamespace } from '../db'
import { alreadyExists, invalidArgument, notFound } from '../errors'
import { gc, type GcOptions } from '../gc'
import { validateNamespace } from '../namespace'
import type { Descriptor } from '../oci'
import { adaptImage, planList } from './store-filter'
import { encodeMap, IMAGE_COLUMNS, mergeRows, rowToImage, type Image, type ImageRow, type LabelRow } from './store-rows'
import { validateImage } from './store-validate'

export type { Image } from './store-rows'

export type ImageInput = Omit<Image, 'createdAt' | 'updatedAt'>

export interface ImageEvent {
  topic: '/images/create' | '/images/update' | '/images/delete'
  namespace: string
  name: string
}

export interface ImageStoreOptions {
  now?: () => Date
  /** What `delete(…, { sync: true })` runs: options for gc(), or a function of its own. */
  gc?: Omit<GcOptions, 'dryRun'> | ((db: Database) => unknown)
  /** Called after the change is committed (after the outermost store.transaction()). */
  onEvent?: (e: ImageEvent) => void
}

export interface DeleteOptions {
  /** When target.digest is non-empty, delete only if the stored target has that digest. */
  target?: Pick<Descriptor, 'digest'> & Partial<Descriptor>
  /** Run a garbage collection before returning, as containerd's SynchronousDelete does. */
  sync?: boolean
}

type Stmt = BetterSqlite3.Statement

export class ImageStore {
  private readonly now: () => Date
  private readonly opts: ImageStoreOptions
  private pending: ImageEvent[] | null = null
  private readonly s: Record<
    'get' | 'labels' | 'exists' | 'insert' | 'updateRow' | 'insertLabel' | 'deleteLabels' | 'delete' | 'count',
    Stmt
  >
  private readonly planned = new Map<string, { images: Stmt; labels: Stmt }>()

  constructor(
    readonly db: Database,
    opts: ImageStoreOptions = {},
  ) {
    this.opts = opts
    this.now = opts.now ?? (() => new Date())
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      get: p(`SELECT ${IMAGE_COLUMNS} FROM images WHERE namespace = ? AND name = ?`).raw(),
      labels: p('SELECT name, key, value FROM image_labels WHERE namespace = ? AND name = ? ORDER BY key').raw(),
      exists: p('SELECT updated_at FROM images WHERE namespace = ? AND name = ?').pluck(),
      insert: p(
        `INSERT INTO images (namespace, ${IMAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateRow: p(
        `UPDATE images SET target_media_type = ?, target_digest = ?, target_size = ?, target_annotations = ?,
           updated_at = ? WHERE namespace = ? AND name = ?`,
      ),
      insertLabel: p('INSERT INTO image_labels (namespace, name, key, value) VALUES (?, ?, ?, ?)'),
      deleteLabels: p('DELETE FROM image_labels WHERE namespace = ? AND name = ?'),
      delete: p('DELETE FROM images WHERE namespace = ? AND name = ?'),
      count: p('SELECT count(*) FROM images WHERE namespace = ?').pluck(),
    }
  }

  get(namespace: string, name: string): Image {
    validateNamespace(namespace)
    return this.read(namespace, name) ?? missing(name)
  }

  list(namespace: string, ...filters: string[]): Image[] {
    validateNamespace(namespace)
    const plan = planList(filters)
    const stmts = this.statementsFor(plan.where)
    const params = { ...plan.params, ns: namespace }
    // One read transaction: the label rows must describe exactly the image rows being merged.
    const images = this.db.transaction(() =>
      mergeRows(stmts.images.all(params) as ImageRow[], stmts.labels.all(params) as LabelRow[]),
    )()
    if (!plan.filter) return images
    const f = plan.filter
    return images.filter((img) => f.match(adaptImage(img)))
  }

  /** How many images match (all of them without filters). */
  count(namespace: string, ...filters: string[]): number {
    validateNamespace(namespace)
    if (filters.length === 0) return this.s.count.get(namespace) as number
    return this.list(namespace, ...filters).length
  }

  /** Namespaces that hold at least one image, in byte order. */
  namespaces(): string[] {
    return this.db.prepare('SELECT DISTINCT namespace FROM images ORDER BY namespace').pluck().all() as string[]
  }

  create(namespace: string, image: ImageInput): Image {
    validateNamespace(namespace)
    const created = this.transaction(() => {
      const img = validateImage(image)
      if (this.s.exists.get(namespace, img.name) !== undefined) {
        throw alreadyExists(`image "${img.name}": already exists`)
      }
      // Caller-supplied timestamps are ignored, as in containerd.
      const now = this.now().getTime()
      touchNamespace(this.db, namespace, now)
      const t = img.target
      this.s.insert.run(namespace, img.name, t.mediaType, t.digest, t.size, encodeMap(t.annotations), now, now)
      this.writeLabels(namespace, img.name, img.labels)
      return this.read(namespace, img.name) as Image
    })
    this.emit({ topic: '/images/create', namespace, name: created.name })
    return created
  }

  /** Creates many images in one transaction (bulk import, benchmarks). */
  createMany(namespace: string, images: Iterable<ImageInput>): Image[] {
    return this.transaction(() => Array.from(images, (img) => this.create(namespace, img)))
  }

  update(namespace: string, image: ImageInput, ...fieldpaths: string[]): Image {
    validateNamespace(namespace)
    if (!image || image.name === '' || image.name === undefined) {
      throw invalidArgument('image name is required for update')
    }
    const updated = this.transaction(() => {
      const stored = this.read(namespace, image.name) ?? missing(image.name)
      const merged = validateImage(applyFieldpaths(stored, image, fieldpaths))
      // Timestamps are integer milliseconds. containerd guarantees updatedAt > createdAt after an
      // update through nanosecond clocks; here two writes within one millisecond would tie, so the
      // new updatedAt is at least one millisecond after the previous one, whatever the clock says.
      const updatedAt = Math.max(this.now().getTime(), stored.updatedAt.getTime() + 1)
      const t = merged.target
      this.s.updateRow.run(t.mediaType, t.digest, t.size, encodeMap(t.annotations), updatedAt, namespace, image.name)
      this.s.deleteLabels.run(namespace, image.name)
      this.writeLabels(namespace, image.name, merged.labels)
      return this.read(namespace, image.name) as Image
    })
    this.emit({ topic: '/images/update', namespace, name: updated.name })
    return updated
  }

  delete(namespace: string, name: string, opts: DeleteOptions = {}): void {
    validateNamespace(namespace)
    this.transaction(() => {
      const want = opts.target?.digest
      if (want) {
        const row = this.s.get.get(namespace, name) as ImageRow | undefined
        if (!row) missing(name)
        if (row[2] !== want) throw notFound(`image "${name}" has target ${row[2]}, not ${want}: not found`)
      }
      if (this.s.delete.run(namespace, name).changes === 0) missing(name)
      markDirty(this.db)
    })
    this.emit({ topic: '/images/delete', namespace, name })
    if (opts.sync) this.collect()
  }

  /**
   * Runs fn in one transaction (nested calls join the outer one). Events are delivered after the
   * outermost commit, and dropped if it rolls back.
   */
  transaction<T>(fn: () => T): T {
    if (this.pending) return this.db.transaction(fn)()
    this.pending = []
    let events: ImageEvent[] = []
    try {
      const out = this.db.transaction(fn)()
      events = this.pending
      return out
    } finally {
      this.pending = null
      for (const e of events) this.opts.onEvent?.(e)
    }
  }

  private collect(): void {
    const g = this.opts.gc
    if (typeof g === 'function') g(this.db)
    else gc(this.db, { now: this.now, ...g })
  }

  private emit(e: ImageEvent): void {
    if (this.pending) this.pending.push(e)
    else this.opts.onEvent?.(e)
  }

  private read(namespace: string, name: string): Image | undefined {
    const row = this.s.get.get(namespace, name) as ImageRow | undefined
    if (!row) return undefined
    const labels = mergeRows([row], this.s.labels.all(namespace, name) as LabelRow[])[0].labels
    return rowToImage(row, labels)
  }

  private writeLabels(namespace: string, name: string, labels: Record<string, string>): void {
    for (const [k, v] of Object.entries(labels)) {
      if (v !== '') this.s.insertLabel.run(namespace, name, k, v)
    }
  }

  private statementsFor(where: string): { images: Stmt; labels: Stmt } {
    let st = this.planned.get(where)
    if (!st) {
      st = {
        images: this.db
          .prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE namespace = @ns ${where} ORDER BY name`)
          .raw(),
        labels: this.db
          .prepare(
            `SELECT name, key, value FROM image_labels WHERE namespace = @ns ${where} ORDER BY name, key`,
          )
          .raw(),
      }
      // The plan's SQL depends only on the shape of the filters, so this cache stays small.
      if (this.planned.size > 256) this.planned.clear()
      this.planned.set(where, st)
    }
    return st
  }
}

function missing(name: string): never {
  throw notFound(`image "${name}": not found`)
}

/** containerd's Update merge: no fieldpaths replaces everything; otherwise each path in order. */
export function applyFieldpaths(stored: Image, input: ImageInput, fieldpaths: string[]): ImageInput {
  if (fieldpaths.length === 0) return { name: stored.name, labels: input.labels ?? {}, target: input.target }
  const labels = new Map(Object.entries(stored.labels))
  let target: Descriptor = { ...stored.target }
  let annotations = new Map(Object.entries(stored.target.annotations ?? {}))
  const inLabels = input.labels ?? {}
  const inAnn = () => input.target?.annotations ?? {}
  for (const path of fieldpaths) {
    if (path.startsWith('labels.')) {
      const key = path.slice('labels.'.length)
      labels.set(key, Object.hasOwn(inLabels, key) ? inLabels[key] : '')
    } else if (path.startsWith('annotations.')) {
      const key = path.slice('annotations.'.length)
      annotations.set(key, Object.hasOwn(inAnn(), key) ? inAnn()[key] : '')
    } else if (path === 'labels') {
      labels.clear()
      for (const [k, v] of Object.entries(inLabels)) labels.set(k, v)
    } else if (path === 'annotations') {
      annotations = new Map(Object.entries(inAnn()))
    } else if (path === 'target') {
      // The target is replaced as a unit, its annotations included.
      target = { ...input.target }
      annotations = new Map(Object.entries(input.target?.annotations ?? {}))
    } else {
      throw invalidArgument(`cannot update ${JSON.stringify(path)} field on image ${JSON.stringify(stored.name)}`)
    }
  }
  return {
    name: stored.name,
    labels: Object.fromEntries(labels),
    target: { ...target, annotations: Object.fromEntries(annotations) },
  }
}
