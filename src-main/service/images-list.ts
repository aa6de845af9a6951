// images.list: one page of image summaries with containerd filtering, a plain-text query, sorting and
// paging. Reads the images, their labels and their summaries in three statements for the namespace,
// whatever its size; no blob is opened unless a summary is stale.
import { notFound } from '../core/errors'
import { parseAll } from '../core/filters'
import { adaptImage } from '../core/images/store-filter'
import type { Image } from '../core/images/store'
import { decodeMap } from '../core/images/store-rows'
import { validateNamespace } from '../core/namespace'
import type {
  ImagePage,
  ImageSortKey,
  ImageSummary,
  ListImagesRequest,
  PlatformChip,
  Presence,
} from '../../src-preload/api'
import type { ServiceContext } from './context'
import { filterErrorOf } from './filter-error'
import { splitName } from './names'
import { refreshSummaries } from './summaries'

interface Row {
  name: string
  mediaType: string
  digest: string
  size: number
  annotations: string
  createdAt: number
  updatedAt: number
  kind: string | null
  platforms: string | null
  status: string | null
  contentSize: number | null
  uniqueSize: number | null
  labels: string | null
}

interface Candidate {
  row: Row
  labels: Record<string, string>
  repository: string
  tag: string
  platformCount: number
}

export interface ListOptions {
  /**
   * Only these names: what a containerd daemon's own List answered for the request's filter (the
   * filter was applied there, so it is not applied again here).
   */
  only?: ReadonlySet<string>
}

export async function listImages(
  ctx: ServiceContext,
  req: ListImagesRequest,
  opts: ListOptions = {},
): Promise<ImagePage> {
  const ns = validateNamespace(req.namespace)
  await refreshSummaries(ctx, ns)
  let filter: ReturnType<typeof parseAll> | null = null
  const filterText = req.filter?.trim() === '' ? '' : (req.filter ?? '')
  if (filterText !== '') {
    try {
      filter = parseAll(filterText)
    } catch (e) {
      const namespaceTotal = countImages(ctx, ns)
      return { items: [], total: 0, namespaceTotal, filterError: filterErrorOf(filterText, e) }
    }
  }
  if (filter === null && !opts.only && !(req.query ?? '').trim() && SQL_ORDER[req.sort?.key ?? 'name'])
    return sqlPage(ctx, ns, req)
  const all = readAll(ctx, ns)
  const query = (req.query ?? '').trim().toLowerCase()
  let rows = opts.only ? all.filter((c) => opts.only!.has(c.row.name)) : all
  if (filter) rows = rows.filter((c) => filter.match(adaptImage(asImage(c))))
  if (query) rows = rows.filter((c) => matchesQuery(c, query))
  sortCandidates(rows, req.sort?.key ?? 'name', req.sort?.direction ?? 'asc')
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 100)
  return {
    items: rows.slice(offset, offset + limit).map(toSummary),
    total: rows.length,
    namespaceTotal: all.length,
  }
}

export function countImages(ctx: ServiceContext, ns: string): number {
  return ctx.db.prepare('SELECT count(*) FROM images WHERE namespace = ?').pluck().get(ns) as number
}

const SELECT_ROWS = `SELECT i.name, i.target_media_type AS mediaType, i.target_digest AS digest, i.target_size AS size,
              i.target_annotations AS annotations, i.created_at AS createdAt, i.updated_at AS updatedAt,
              s.kind, s.platforms, s.status, s.size AS contentSize, s.unique_size AS uniqueSize, m.labels
         FROM images i LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name
         LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name
        WHERE i.namespace = ?`

/** Sort keys SQLite can order by itself (BINARY collation is containerd's byte order of names). */
const SQL_ORDER: Partial<Record<ImageSortKey, string>> = {
  name: 'i.name',
  kind: 's.kind',
  platforms: 'json_array_length(s.platforms)',
  size: 's.size',
  unique: 's.unique_size',
  updated: 'i.updated_at',
  created: 'i.created_at',
}

/** The unfiltered case: the database sorts and pages, and only the page's labels are read. */
function sqlPage(ctx: ServiceContext, ns: string, req: ListImagesRequest): ImagePage {
  const key = req.sort?.key ?? 'name'
  const dir = req.sort?.direction === 'desc' ? 'DESC' : 'ASC'
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 100)
  const order = key === 'name' ? `i.name ${dir}` : `${SQL_ORDER[key]} ${dir}, i.name`
  const rows = ctx.db
    .prepare(`${SELECT_ROWS} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(ns, limit, offset) as Row[]
  const total = countImages(ctx, ns)
  return { items: rows.map((r) => toSummary(candidate(r))), total, namespaceTotal: total }
}

/** Labels come from the store's one-JSON-object-per-image form, as the image store's own reads do. */
function candidate(row: Row): Candidate {
  const { repository, tag } = splitName(row.name)
  return {
    row,
    labels: decodeMap(row.labels),
    repository,
    tag,
    platformCount: row.platforms ? row.platforms.split('"platform"').length - 1 : 0,
  }
}

function readAll(ctx: ServiceContext, ns: string): Candidate[] {
  const rows = ctx.db.prepare(`${SELECT_ROWS} ORDER BY i.name`).all(ns) as Row[]
  return rows.map((row) => candidate(row))
}

function asImage(c: Candidate): Image {
  return {
    name: c.row.name,
    labels: c.labels,
    target: {
      mediaType: c.row.mediaType,
      digest: c.row.digest,
      size: c.row.size,
      annotations:
        c.row.annotations && c.row.annotations !== '{}' ? JSON.parse(c.row.annotations) : undefined,
    },
    createdAt: new Date(c.row.createdAt),
    updatedAt: new Date(c.row.updatedAt),
  }
}

function matchesQuery(c: Candidate, q: string): boolean {
  if (c.row.name.toLowerCase().includes(q)) return true
  if (c.row.digest.includes(q)) return true
  for (const v of Object.values(c.labels)) if (v.toLowerCase().includes(q)) return true
  return false
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const KEYS: Record<ImageSortKey, (a: Candidate, b: Candidate) => number> = {
  name: (a, b) => byteOrder(a.row.name, b.row.name),
  tag: (a, b) => byteOrder(a.tag, b.tag),
  kind: (a, b) => byteOrder(a.row.kind ?? '', b.row.kind ?? ''),
  platforms: (a, b) => a.platformCount - b.platformCount,
  size: (a, b) => (a.row.contentSize ?? 0) - (b.row.contentSize ?? 0),
  unique: (a, b) => (a.row.uniqueSize ?? 0) - (b.row.uniqueSize ?? 0),
  updated: (a, b) => a.row.updatedAt - b.row.updatedAt,
  created: (a, b) => a.row.createdAt - b.row.createdAt,
}

function sortCandidates(rows: Candidate[], key: ImageSortKey, direction: 'asc' | 'desc'): void {
  const cmp = KEYS[key] ?? KEYS.name
  const sign = direction === 'desc' ? -1 : 1
  rows.sort((a, b) => sign * cmp(a, b) || byteOrder(a.row.name, b.row.name))
}

function toSummary(c: Candidate): ImageSummary {
  const r = c.row
  return {
    name: r.name,
    repository: c.repository,
    tag: c.tag,
    targetDigest: r.digest,
    targetMediaType: r.mediaType,
    targetSize: r.size,
    kind: (r.kind as ImageSummary['kind']) ?? 'other',
    platforms: r.platforms ? (JSON.parse(r.platforms) as PlatformChip[]) : [],
    status: (r.status as Presence) ?? 'missing',
    size: r.contentSize ?? 0,
    uniqueSize: r.uniqueSize ?? 0,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    labels: c.labels,
  }
}

/** One image's summary, after refreshing (used by the calls that return the changed image). */
export async function imageSummary(ctx: ServiceContext, ns: string, name: string): Promise<ImageSummary> {
  await refreshSummaries(ctx, ns)
  ctx.images.get(ns, name) // NotFound with the store's message
  const page = await listImages(ctx, { namespace: ns, filter: `name==${JSON.stringify(name)}`, limit: 1 })
  if (page.items[0]) return page.items[0]
  // A name that the filter language cannot quote safely: fall back to a scan.
  const all = await listImages(ctx, { namespace: ns, limit: Number.MAX_SAFE_INTEGER })
  const found = all.items.find((i) => i.name === name)
  if (!found)
    throw notFound(
      `image "${name}" was removed while it was being read (by another window or the CLI?); reload the list`,
    )
  return found
}
