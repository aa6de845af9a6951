// images.list, one image's summary, and the names alone: every answer is one or two indexed statements
// whatever the namespace holds. containerd filters are narrowed in SQL by the image store's own planner
// (planList) and every candidate is judged by the real filter inside the same statement; the quick
// search reads the trigram index; each sort key has its own index, so a page is read in order and cut
// with LIMIT/OFFSET instead of sorting the namespace. Totals without a filter or query come from a
// counter kept by triggers.
import { notFound } from '../core/errors'
import { parse } from '../core/filters'
import { planList } from '../core/images/store-filter'
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
import { filterWarnings } from './filter-warnings'
import { searchQuery } from './image-search'
import { splitName } from './names'
import { IMAGE_JUDGE_ARGS, imageJudge, withJudge } from './sql-judges'
import { refreshSummaries } from './summaries'

/**
 * The service's list request: the contract's, plus `filters` for the CLI — containerd's ParseAll, the
 * strings ORed (the renderer sends the one `filter`; when both are given, all of them are ORed).
 */
export interface ListImagesQuery extends ListImagesRequest {
  filters?: string[]
}

interface Row {
  name: string
  mediaType: string
  digest: string
  size: number
  createdAt: number
  updatedAt: number
  kind: string | null
  platforms: string | null
  status: string | null
  contentSize: number | null
  uniqueSize: number | null
  labels: string | null
}

const COLUMNS = `i.name, i.target_media_type AS mediaType, i.target_digest AS digest, i.target_size AS size,
  i.created_at AS createdAt, i.updated_at AS updatedAt, s.kind, s.platforms, s.status,
  s.size AS contentSize, s.unique_size AS uniqueSize, m.labels`

const LABELS_JOIN = 'LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name'

/** Name and dates are the image's own columns; the rest live in its summary. */
const FROM_IMAGES = `FROM images i LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name
  ${LABELS_JOIN} WHERE i.namespace = @ns`
const FROM_SUMMARIES = `FROM image_summaries s JOIN images i ON i.namespace = s.namespace AND i.name = s.name
  ${LABELS_JOIN} WHERE s.namespace = @ns`

/** Each key's column, read in the order of its index (migration 4), the name breaking ties. */
const SORTS: Record<ImageSortKey, { column: string; from: string }> = {
  name: { column: '', from: FROM_IMAGES },
  updated: { column: 'i.updated_at', from: FROM_IMAGES },
  created: { column: 'i.created_at', from: FROM_IMAGES },
  tag: { column: 's.tag', from: FROM_SUMMARIES },
  kind: { column: 's.kind', from: FROM_SUMMARIES },
  platforms: { column: 's.platform_count', from: FROM_SUMMARIES },
  size: { column: 's.size', from: FROM_SUMMARIES },
  unique: { column: 's.unique_size', from: FROM_SUMMARIES },
}

function requestFilters(req: { filter?: string; filters?: string[] }): string[] {
  const out = [...(req.filters ?? [])]
  // A filter of blanks is no filter; any other text is parsed as given (a trailing space is an error).
  if (req.filter !== undefined && req.filter.trim() !== '') out.push(req.filter)
  return out
}

/** The first string that does not parse, as the UI marks it; null when all parse. */
function firstParseError(filters: string[]) {
  for (const f of filters) {
    try {
      parse(f)
    } catch (e) {
      return filterErrorOf(f, e)
    }
  }
  return null
}

interface Narrowing {
  /** SQL appended to one of the FROM_* clauses. */
  where: string
  params: Record<string, unknown>
  filter: ReturnType<typeof planList>['filter']
  /** Nothing narrows: the namespace's counter is the total. */
  everything: boolean
}

/** The filter's pushdown, its judge, and the quick search, as one WHERE tail with its parameters. */
function narrowing(filters: string[], query: string | undefined): Narrowing {
  const plan = planList(filters)
  let where = ''
  const params: Record<string, unknown> = { ...plan.params }
  if (plan.filter) where += ` ${plan.where} AND berth_judge(@fid, ${IMAGE_JUDGE_ARGS})`
  const q = searchQuery(query)
  if (q) {
    where += ' AND i.name IN (SELECT name FROM image_search WHERE text GLOB @glob AND namespace = @ns)'
    params.glob = q.glob
    if (q.needle.includes('\n')) {
      where += ' AND berth_fields_contain(@needle, i.name, i.target_digest, m.labels)'
      params.needle = q.needle
    }
  }
  return { where, params, filter: plan.filter, everything: plan.filter === null && q === null }
}

export async function listImages(ctx: ServiceContext, req: ListImagesQuery): Promise<ImagePage> {
  const ns = validateNamespace(req.namespace)
  await refreshSummaries(ctx, ns)
  const filters = requestFilters(req)
  const namespaceTotal = countImages(ctx, ns)
  const filterError = firstParseError(filters)
  if (filterError) return { items: [], total: 0, namespaceTotal, filterError }
  const n = narrowing(filters, req.query)
  const key = SORTS[req.sort?.key ?? 'name'] ? (req.sort?.key ?? 'name') : 'name'
  const { column, from } = SORTS[key]
  const dir = req.sort?.direction === 'desc' ? 'DESC' : 'ASC'
  // Ties go the same way as the key, so the index is read in one direction and nothing is sorted.
  const order = column ? `${column} ${dir}, i.name ${dir}` : `i.name ${dir}`
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 100)
  const { rows, total } = withJudge(ctx.db, imageJudge(n.filter), (fid) => {
    const params = { ...n.params, ns, fid, limit, offset }
    const page = ctx.db
      .prepare(`SELECT ${COLUMNS} ${from} ${n.where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all(params) as Row[]
    const count = n.everything
      ? namespaceTotal
      : (ctx.db.prepare(`SELECT count(*) ${from} ${n.where}`).pluck().get(params) as number)
    return { rows: page, total: count }
  })
  const page: ImagePage = { items: rows.map(toSummary), total, namespaceTotal }
  const warnings = filterWarnings(filters)
  if (warnings) page.filterWarnings = warnings
  return page
}

/** Images in the namespace, from the counter the triggers keep. */
export function countImages(ctx: ServiceContext, ns: string): number {
  const n = ctx.db.prepare('SELECT images FROM namespace_stats WHERE namespace = ?').pluck().get(ns)
  return (n as number | undefined) ?? 0
}

/**
 * The names of the images that match the filters (containerd's ParseAll: ORed; none matches all), in
 * ascending byte order, reading nothing else: `berth images ls -q`. A filter that does not parse is
 * InvalidArgument, as the image store's List.
 */
export function listImageNames(ctx: ServiceContext, nsIn: string, filters: string[] = []): string[] {
  const ns = validateNamespace(nsIn)
  const n = narrowing(filters, undefined)
  if (n.everything)
    return ctx.db
      .prepare('SELECT name FROM images WHERE namespace = ? ORDER BY name')
      .pluck()
      .all(ns) as string[]
  return withJudge(ctx.db, imageJudge(n.filter), (fid) => {
    const sql = `SELECT i.name FROM images i ${LABELS_JOIN} WHERE i.namespace = @ns ${n.where} ORDER BY i.name`
    return ctx.db
      .prepare(sql)
      .pluck()
      .all({ ...n.params, ns, fid }) as string[]
  })
}

/** One image's summary by its key, after refreshing what changed (details, label save, tag). */
export async function imageSummary(ctx: ServiceContext, nsIn: string, name: string): Promise<ImageSummary> {
  const ns = validateNamespace(nsIn)
  await refreshSummaries(ctx, ns)
  const row = ctx.db.prepare(`SELECT ${COLUMNS} ${FROM_IMAGES} AND i.name = @name`).get({ ns, name }) as
    Row | undefined
  if (!row) throw notFound(`image "${name}": not found`)
  return toSummary(row)
}

function toSummary(r: Row): ImageSummary {
  const { repository, tag } = splitName(r.name)
  return {
    name: r.name,
    repository,
    tag,
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
    labels: decodeMap(r.labels),
  }
}
