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

/** An image with its summary and labels, for the rows of a page picked by name beforehand. */
const PAGE_ROWS = `SELECT ${COLUMNS} FROM json_each(@names) j
  CROSS JOIN images i ON i.namespace = @ns AND i.name = j.value
  LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name
  ${LABELS_JOIN}`

/** Each key's column in image_summaries, indexed with the name after it (migration 4). */
const SORT_COLUMNS: Record<ImageSortKey, string> = {
  name: 'i.name',
  updated: 's.updated_at',
  created: 's.created_at',
  tag: 's.tag',
  kind: 's.kind',
  platforms: 's.platform_count',
  size: 's.size',
  unique: 's.unique_size',
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
  /** SQL appended to `FROM images i … WHERE i.namespace = @ns`, `m` being the labels. */
  where: string
  params: Record<string, unknown>
  filter: ReturnType<typeof planList>['filter']
  /** Nothing narrows: the namespace's counter is the total. */
  everything: boolean
}

/**
 * The filters' pushdown, their judge, and the quick search, as one WHERE tail with its parameters.
 * Filter strings are ORed (ParseAll); the planner narrows each, and their candidates are united, so
 * each alternative is read through its own index rather than the namespace through none.
 */
function narrowing(filters: string[], query: string | undefined): Narrowing {
  const plan = planList(filters)
  const params: Record<string, unknown> = {}
  let where = ''
  if (plan.filter) {
    if (filters.length === 1) {
      where = ` ${plan.where}`
      Object.assign(params, plan.params)
    } else {
      const each = filters.map((f, k) => {
        const one = planList([f])
        for (const [name, v] of Object.entries(one.params)) params[`f${k}${name}`] = v
        return one.where.replace(/@(p\d+)\b/g, `@f${k}$1`)
      })
      if (each.every((w) => w !== ''))
        where = ` AND i.name IN (${each.map((w) => `SELECT i.name FROM images i WHERE i.namespace = @ns ${w}`).join(' UNION ')})`
    }
    where += ` AND berth_judge(@fid, ${IMAGE_JUDGE_ARGS})`
  }
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

export interface ListOptions {
  /**
   * Only these names: what a containerd daemon's own List answered for the request's filter (the
   * filter was applied there, so the request carries none).
   */
  only?: ReadonlySet<string>
}

export async function listImages(
  ctx: ServiceContext,
  req: ListImagesQuery,
  opts: ListOptions = {},
): Promise<ImagePage> {
  const ns = validateNamespace(req.namespace)
  await refreshSummaries(ctx, ns)
  const filters = requestFilters(req)
  const namespaceTotal = countImages(ctx, ns)
  const filterError = firstParseError(filters)
  if (filterError) return { items: [], total: 0, namespaceTotal, filterError }
  const n = narrowing(filters, req.query)
  if (opts.only) {
    n.where += ' AND i.name IN (SELECT value FROM json_each(@only))'
    n.params.only = JSON.stringify([...opts.only])
    n.everything = false
  }
  const key: ImageSortKey = Object.hasOwn(SORT_COLUMNS, req.sort?.key ?? '') ? req.sort!.key : 'name'
  const dir = req.sort?.direction === 'desc' ? 'DESC' : 'ASC'
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 100)
  const db = ctx.db
  // The page's names first, from the narrowest source that has the order: a sort key's index (ties go
  // the key's way, so it is read in one direction), or the candidates of a filter or query sorted.
  // Skipping to a deep offset then steps over index entries, not over joined rows.
  let keys: string
  if (n.everything && key === 'name')
    keys = `SELECT i.name FROM images i WHERE i.namespace = @ns ORDER BY i.name ${dir}`
  else if (n.everything)
    keys = `SELECT s.name FROM image_summaries s WHERE s.namespace = @ns
             ORDER BY ${SORT_COLUMNS[key]} ${dir}, s.name ${dir}`
  else {
    const order = key === 'name' ? `i.name ${dir}` : `${SORT_COLUMNS[key]} ${dir}, i.name ${dir}`
    keys = `SELECT i.name FROM images i
             LEFT JOIN image_summaries s ON s.namespace = i.namespace AND s.name = i.name ${LABELS_JOIN}
             WHERE i.namespace = @ns ${n.where} ORDER BY ${order}`
  }
  const { rows, total } = withJudge(db, imageJudge(n.filter), (fid) =>
    // One snapshot: the page, its rows and its total agree though the CLI writes meanwhile.
    db.transaction(() => {
      const params = { ...n.params, ns, fid }
      // A narrowed page counts its matches in the same pass (a window over the candidates), so the
      // judge sees each candidate once; past the last match there is no row to carry it, so count.
      const counted = n.everything ? '' : ', count(*) OVER () AS total'
      const page = db
        .prepare(`${keys.replace(/^SELECT (\w\.name)/, `SELECT $1${counted}`)} LIMIT @limit OFFSET @offset`)
        .raw()
        .all({ ...params, limit, offset }) as [string, number?][]
      const names = page.map((r) => r[0])
      const byName = new Map(
        (db.prepare(PAGE_ROWS).all({ ns, names: JSON.stringify(names) }) as Row[]).map((r) => [r.name, r]),
      )
      const count = n.everything
        ? namespaceTotal
        : page.length > 0
          ? (page[0][1] as number)
          : (db
              .prepare(`SELECT count(*) FROM images i ${LABELS_JOIN} WHERE i.namespace = @ns ${n.where}`)
              .pluck()
              .get(params) as number)
      return { rows: names.map((name) => byName.get(name) as Row), total: count }
    })(),
  )
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
  const row = ctx.db.prepare(PAGE_ROWS).get({ ns, names: JSON.stringify([name]) }) as Row | undefined
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
