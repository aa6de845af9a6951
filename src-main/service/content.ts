// content.list and content.setLabels: a page of a namespace's blobs with what each is and which images
// reach it (from the summaries' blob index), filtered with containerd's content fields (digest,
// labels.KEY, and the app's size). The page, its totals and the filter all run in SQL: the filter is
// narrowed by the content indexes and judged by the real filter on the candidates; without filter and
// query the totals come from the counters the triggers keep.
import { adaptContent } from '../core/content/filter'
import { writeTx } from '../core/db'
import { parseAll, type Selector } from '../core/filters'
import { invalidArgument, notFound } from '../core/errors'
import { isLiteral } from '../core/images/store-filter'
import { decodeMap } from '../core/images/store-rows'
import { validateNamespace } from '../core/namespace'
import { isDigest } from '../core/oci'
import type {
  NodeKind,
  ContentItem,
  ContentPage,
  ContentSetLabelsRequest,
  ListContentRequest,
} from '../../src-preload/api'
import type { ServiceContext } from './context'
import { ConflictError } from './errors'
import { filterErrorOf } from './filter-error'
import { filterWarnings } from './filter-warnings'
import { searchQuery } from './image-search'
import { labelEdit } from './labels'
import { kindOf } from './mediatypes'
import { withJudge, type Judge } from './sql-judges'
import { refreshSummaries } from './summaries'

/** Names listed per blob: a base layer may be reached by every image of the namespace. */
const IMAGES_PER_BLOB = 50

interface Row {
  digest: string
  size: number
  createdAt: number
  updatedAt: number
  mediaType: string | null
  kind: string | null
  labels: string
  images: string
  imageCount: number | null
}

/**
 * The summaries' blob rows of one digest. Without statistics the planner would rather read the whole
 * namespace through the primary key than the digest index once it needs a column the index lacks.
 */
const BLOBS_BY_DIGEST = 'image_summary_blobs b INDEXED BY image_summary_blobs_by_digest'

const LABELS_OF = `(SELECT json_group_object(l.key, l.value) FROM content_labels l
    WHERE l.namespace = c.namespace AND l.digest = c.digest)`

const COLUMNS = `c.digest, c.size, c.created_at AS createdAt, c.updated_at AS updatedAt,
  (SELECT b.media_type FROM ${BLOBS_BY_DIGEST}
    WHERE b.namespace = c.namespace AND b.digest = c.digest AND b.media_type <> '' LIMIT 1) AS mediaType,
  (SELECT b.kind FROM ${BLOBS_BY_DIGEST}
    WHERE b.namespace = c.namespace AND b.digest = c.digest AND b.kind <> '' LIMIT 1) AS kind,
  ${LABELS_OF} AS labels,
  (SELECT json_group_array(n.name) FROM (SELECT b.name FROM image_summary_blobs b
    WHERE b.namespace = c.namespace AND b.digest = c.digest ORDER BY b.name LIMIT ${IMAGES_PER_BLOB}) n) AS images,
  (SELECT d.holders FROM image_summary_digests d WHERE d.namespace = c.namespace AND d.digest = c.digest) AS imageCount`

/** A quick-search match: the digest, the media type, a label value or the name of an image reaching it. */
const QUERY = ` AND (berth_contains(@needle, c.digest)
  OR berth_contains(@needle, (SELECT b.media_type FROM ${BLOBS_BY_DIGEST}
      WHERE b.namespace = c.namespace AND b.digest = c.digest AND b.media_type <> '' LIMIT 1))
  OR EXISTS (SELECT 1 FROM content_labels l
      WHERE l.namespace = c.namespace AND l.digest = c.digest AND berth_contains(@needle, l.value))
  OR c.digest IN (SELECT b.digest FROM image_summary_blobs b
      WHERE b.namespace = @ns AND berth_contains(@needle, b.name)
        AND b.name IN (SELECT name FROM image_search WHERE text GLOB @glob AND namespace = @ns)))`

export async function listContent(ctx: ServiceContext, req: ListContentRequest): Promise<ContentPage> {
  const ns = validateNamespace(req.namespace)
  await refreshSummaries(ctx, ns)
  const filters = req.filter ? [req.filter] : []
  let filter: ReturnType<typeof parseAll> | null = null
  if (req.filter) {
    try {
      filter = parseAll(req.filter)
    } catch (e) {
      return { items: [], total: 0, totalBytes: 0, filterError: filterErrorOf(req.filter, e) }
    }
  }
  const params: Record<string, unknown> = {}
  let where = ''
  if (filter) {
    const narrowed = narrow(filter.alternatives, (v) => {
      const name = `p${Object.keys(params).length}`
      params[name] = v
      return `@${name}`
    })
    if (narrowed) where += ` AND (${narrowed})`
    where += ` AND berth_judge(@fid, c.digest, c.size, ${LABELS_OF})`
  }
  const q = searchQuery(req.query)
  if (q) {
    where += QUERY
    params.needle = q.needle
    params.glob = q.glob
  }
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 500)
  const page = withJudge(ctx.db, filter && contentJudge(filter), (fid) => {
    const all = { ...params, ns, fid, limit, offset }
    const rows = ctx.db
      .prepare(
        `SELECT ${COLUMNS} FROM content c WHERE c.namespace = @ns ${where} ORDER BY c.digest LIMIT @limit OFFSET @offset`,
      )
      .all(all) as Row[]
    const totals = (
      where === ''
        ? ctx.db.prepare('SELECT blobs AS n, bytes AS b FROM namespace_stats WHERE namespace = @ns')
        : ctx.db.prepare(
            `SELECT count(*) AS n, coalesce(sum(c.size), 0) AS b FROM content c WHERE c.namespace = @ns ${where}`,
          )
    ).get(all) as { n: number; b: number } | undefined
    return { items: rows.map(toItem), total: totals?.n ?? 0, totalBytes: totals?.b ?? 0 }
  })
  const warnings = filterWarnings(filters)
  return warnings ? { ...page, filterWarnings: warnings } : page
}

/**
 * A necessary condition for the filter on `content c`, or null when some alternative cannot be narrowed
 * (then every blob of the namespace is a candidate). `digest` is the first path element only, as
 * containerd's adaptor switches on it; `size` is the app's and is left to the judge.
 */
function narrow(alternatives: readonly (readonly Selector[])[], param: (v: string) => string): string | null {
  const ors = alternatives.map((sels) => sels.flatMap((s) => condition(s, param) ?? []))
  if (ors.some((a) => a.length === 0)) return null
  return ors.map((a) => `(${a.join(' AND ')})`).join(' OR ')
}

function condition(s: Selector, param: (v: string) => string): string | null {
  const literal = s.operator === '~=' && isLiteral(s.value)
  if (s.fieldpath[0] === 'digest') {
    if (s.operator === '==') return `c.digest = ${param(s.value)}`
    return literal ? `instr(c.digest, ${param(s.value)}) > 0` : null
  }
  if (s.fieldpath[0] !== 'labels' || s.fieldpath.length < 2) return null
  let value: string
  if (s.operator === '==') value = ` AND value = ${param(s.value)}`
  else if (s.operator === '') value = ''
  else if (literal) value = ` AND instr(value, ${param(s.value)}) > 0`
  else return null
  const key = param(s.fieldpath.slice(1).join('.'))
  return `c.digest IN (SELECT digest FROM content_labels WHERE namespace = @ns AND key = ${key}${value})`
}

/** containerd's content adaptor, plus the app's `size`, over (digest, size, labels JSON). */
function contentJudge(filter: ReturnType<typeof parseAll>): Judge {
  return ([digest, size, labels]) => {
    const core = adaptContent({ digest: digest as string, labels: decodeMap(labels as string) })
    return filter.match((fp) => (fp[0] === 'size' ? String(size) : core(fp)))
  }
}

function toItem(r: Row): ContentItem {
  return {
    digest: r.digest,
    size: r.size,
    kind:
      (r.kind as NodeKind | null) ??
      (r.mediaType ? kindOf({ mediaType: r.mediaType, digest: r.digest, size: r.size }) : 'other'),
    mediaType: r.mediaType,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    labels: decodeMap(r.labels),
    images: JSON.parse(r.images) as string[],
    imageCount: r.imageCount ?? 0,
  }
}

export async function setContentLabels(
  ctx: ServiceContext,
  req: ContentSetLabelsRequest,
): Promise<ContentItem> {
  const ns = validateNamespace(req.namespace)
  if (!isDigest(req.digest)) throw invalidArgument(`invalid digest ${JSON.stringify(req.digest)}`)
  const keys = Object.keys(req.changes)
  const { labels, paths } = labelEdit(req.changes)
  const unchanged = (): void => {
    if (req.expectedUpdatedAt === undefined) return
    const at = ctx.db
      .prepare('SELECT updated_at FROM content WHERE namespace = ? AND digest = ?')
      .pluck()
      .get(ns, req.digest) as number | undefined
    if (at !== undefined && new Date(at).toISOString() !== req.expectedUpdatedAt) {
      throw new ConflictError(
        `content ${req.digest} was changed elsewhere; reload its labels and apply them again`,
        keys,
      )
    }
  }
  const updateSync = ctx.content.updateSync?.bind(ctx.content)
  if (updateSync) {
    // One IMMEDIATE transaction: no other process can relabel the blob between the check and the write.
    writeTx(ctx.db, `saving labels of content ${req.digest}`, () => {
      unchanged()
      updateSync(ns, { digest: req.digest, labels }, ...paths)
    })
  } else {
    // A containerd daemon's content: its API has no compare-and-set, so the check is as fresh as the
    // mirror's sync just before this call.
    unchanged()
    await ctx.content.update(ns, { digest: req.digest, labels }, ...paths)
  }
  const page = await listContent(ctx, { namespace: ns, filter: `digest==${req.digest}`, limit: 1 })
  if (!page.items[0])
    throw notFound(
      `content ${req.digest} was removed right after its labels were set (a GC?); reload the list`,
    )
  return page.items[0]
}
