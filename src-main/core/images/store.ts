// The image store: containerd's metadata image store (core/metadata/images.go) over SQLite.
// Every rule here is containerd-semantics.md §a; the comments say where containerd's behaviour is
// not obvious.
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../db'
import { markDirty, sqliteError } from '../db'
import { alreadyExists, invalidArgument, notFound } from '../errors'
import { gc, type GcOptions } from '../gc'
import { validateNamespace } from '../namespace'
import type { Descriptor } from '../oci'
import { planList, rowMatcher } from './store-filter'
import { dropEmpty, encodeMap, IMAGE_SELECT, rowToImage, type Image, type ImageRow } from './store-rows'
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
  /** A synchronous delete inside store.transaction(): collect once the outermost commit is done. */
  private collectAfterCommit = false
  private readonly s: Record<
    | 'get'
    | 'exists'
    | 'insert'
    | 'updateRow'
    | 'insertLabels'
    | 'insertLabelMap'
    | 'touch'
    | 'deleteLabels'
    | 'deleteLabelMap'
    | 'delete'
    | 'count',
    Stmt
  >
  private readonly planned = new Map<string, Stmt>()
  private readonly tx: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>

  constructor(
    readonly db: Database,
    opts: ImageStoreOptions = {},
  ) {
    this.opts = opts
    this.now = opts.now ?? (() => new Date())
    this.tx = db.transaction((fn: () => unknown) => fn())
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      get: p(`${IMAGE_SELECT} WHERE i.namespace = ? AND i.name = ?`).raw(),
      exists: p('SELECT updated_at FROM images WHERE namespace = ? AND name = ?').pluck(),
      insert: p(
        `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, target_annotations,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateRow: p(
        `UPDATE images SET target_media_type = ?, target_digest = ?, target_size = ?, target_annotations = ?,
           updated_at = ? WHERE namespace = ? AND name = ?`,
      ),
      // One statement per image rather than per label: the labels travel as one JSON object.
      insertLabels: p(
        `INSERT INTO image_labels (namespace, name, key, value)
           SELECT ?, ?, key, value FROM json_each(?) WHERE value <> ''`,
      ),
      insertLabelMap: p('INSERT INTO image_label_maps (namespace, name, labels) VALUES (?, ?, ?)'),
      // touchNamespace's statement, prepared once: it runs on every create.
      touch: p('INSERT OR IGNORE INTO namespaces (name, created_at) VALUES (?, ?)'),
      deleteLabels: p('DELETE FROM image_labels WHERE namespace = ? AND name = ?'),
      deleteLabelMap: p('DELETE FROM image_label_maps WHERE namespace = ? AND name = ?'),
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
    const stmt = this.statementFor(plan.where)
    const params = { ...plan.params, ns: namespace }
    // A scan of the whole namespace goes row by row: each raw row dies young, which halves the GC
    // work of a 100k list. A narrowed query is small, and all() fetches it twice as fast as iterate().
    const rows = (plan.where === '' ? stmt.iterate(params) : stmt.all(params)) as Iterable<ImageRow>
    // Rows are judged raw, and Image values built only for the matches.
    const judge = plan.filter ? rowMatcher(plan.filter) : rowToImage
    const out: Image[] = []
    for (const r of rows) {
      const img = judge(r)
      if (img) out.push(img)
    }
    return out
  }

  /** How many images match (all of them without filters). */
  count(namespace: string, ...filters: string[]): number {
    validateNamespace(namespace)
    if (filters.length === 0) return this.s.count.get(namespace) as number
    return this.list(namespace, ...filters).length
  }

  /** Namespaces that hold at least one image, in byte order. */
  namespaces(): string[] {
    return this.db
      .prepare('SELECT DISTINCT namespace FROM images ORDER BY namespace')
      .pluck()
      .all() as string[]
  }

  create(namespace: string, image: ImageInput): Image {
    validateNamespace(namespace)
    const created = this.write(`creating image ${JSON.stringify(image?.name)}`, () => {
      const img = validateImage(image)
      if (this.s.exists.get(namespace, img.name) !== undefined) {
        throw alreadyExists(`image "${img.name}": already exists`)
      }
      // Caller-supplied timestamps are ignored, as in containerd.
      const now = this.now().getTime()
      this.s.touch.run(namespace, now)
      const t = img.target
      this.s.insert.run(
        namespace,
        img.name,
        t.mediaType,
        t.digest,
        t.size,
        encodeMap(t.annotations),
        now,
        now,
      )
      this.writeLabels(namespace, img.name, img.labels)
      return stored(img, now, now)
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
    const updated = this.write(`updating image ${JSON.stringify(image.name)}`, () => {
      const old = this.read(namespace, image.name) ?? missing(image.name)
      const merged = validateImage(applyFieldpaths(old, image, fieldpaths))
      // Timestamps are integer milliseconds. containerd guarantees updatedAt > createdAt after an
      // update through nanosecond clocks; here two writes within one millisecond would tie, so the
      // new updatedAt is at least one millisecond after the previous one, whatever the clock says.
      const updatedAt = Math.max(this.now().getTime(), old.updatedAt.getTime() + 1)
      const t = merged.target
      this.s.updateRow.run(
        t.mediaType,
        t.digest,
        t.size,
        encodeMap(t.annotations),
        updatedAt,
        namespace,
        image.name,
      )
      this.s.deleteLabels.run(namespace, image.name)
      this.s.deleteLabelMap.run(namespace, image.name)
      this.writeLabels(namespace, image.name, merged.labels)
      return stored(merged, old.createdAt.getTime(), updatedAt)
    })
    this.emit({ topic: '/images/update', namespace, name: updated.name })
    return updated
  }

  delete(namespace: string, name: string, opts: DeleteOptions = {}): void {
    validateNamespace(namespace)
    this.write(`deleting image ${JSON.stringify(name)}`, () => {
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
    if (opts.sync) {
      if (this.pending) this.collectAfterCommit = true
      else this.collect()
    }
  }

  /**
   * Runs fn in one IMMEDIATE transaction (nested calls join the outer one): it holds the write lock
   * from the start, so a read it makes cannot go stale before its write, and another process's commit
   * makes it wait rather than fail. Events are delivered after the outermost commit, and dropped if it
   * rolls back. SQLite's lock and disk failures come out as Unavailable naming `what`.
   */
  transaction<T>(fn: () => T, what = 'writing to the image store'): T {
    if (this.pending) return this.tx(fn) as T
    this.pending = []
    let events: ImageEvent[] = []
    let committed = false
    try {
      let out: T
      try {
        out = this.tx.immediate(fn) as T
      } catch (e) {
        throw sqliteError(e, what)
      }
      events = this.pending
      committed = true
      return out
    } finally {
      this.pending = null
      const collect = this.collectAfterCommit && committed
      this.collectAfterCommit = false
      for (const e of events) this.opts.onEvent?.(e)
      if (collect) this.collect()
    }
  }

  /**
   * One store operation. Inside store.transaction() it joins the outer transaction without a savepoint
   * of its own: every operation checks everything before its first write, so a failure writes nothing.
   */
  private write<T>(what: string, fn: () => T): T {
    return this.pending ? fn() : this.transaction(fn, what)
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
    return row && rowToImage(row)
  }

  /** Both label forms from one JSON text; an image without labels has neither. */
  private writeLabels(namespace: string, name: string, labels: Record<string, string>): void {
    const json = encodeMap(labels)
    if (json === '{}') return
    this.s.insertLabels.run(namespace, name, json)
    this.s.insertLabelMap.run(namespace, name, json)
  }

  private statementFor(where: string): Stmt {
    let st = this.planned.get(where)
    if (!st) {
      // ORDER BY the primary key's name column: BINARY collation, i.e. UTF-8 byte order.
      st = this.db.prepare(`${IMAGE_SELECT} WHERE i.namespace = @ns ${where} ORDER BY i.name`).raw()
      // The plan's SQL depends only on the shape of the filters, so this cache stays small.
      if (this.planned.size > 256) this.planned.clear()
      this.planned.set(where, st)
    }
    return st
  }
}

/** The record as written: empty-valued labels and annotations are dropped. */
function stored(img: ImageInput, createdAt: number, updatedAt: number): Image {
  const labels = dropEmpty(img.labels)
  const target: Descriptor = { ...img.target }
  const annotations = dropEmpty(target.annotations)
  if (Object.keys(annotations).length > 0) target.annotations = annotations
  else delete target.annotations
  return { name: img.name, labels, target, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) }
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
      throw invalidArgument(
        `cannot update ${JSON.stringify(path)} field on image ${JSON.stringify(stored.name)}`,
      )
    }
  }
  return {
    name: stored.name,
    labels: Object.fromEntries(labels),
    target: { ...target, annotations: Object.fromEntries(annotations) },
  }
}
