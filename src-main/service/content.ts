// content.list and content.setLabels: every blob of a namespace with what it is and which images reach
// it (from the summaries), filtered with containerd's content fields (digest, size, labels.KEY).
import { adaptContent } from '../core/content/filter'
import { groupLabels } from '../core/content/records'
import { parseAll } from '../core/filters'
import { invalidArgument, notFound } from '../core/errors'
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
import { labelEdit } from './labels'
import { kindOf } from './mediatypes'
import { refreshSummaries } from './summaries'

interface Row {
  digest: string
  size: number
  createdAt: number
  updatedAt: number
  mediaType: string | null
  kind: string | null
  images: string | null
}

export async function listContent(ctx: ServiceContext, req: ListContentRequest): Promise<ContentPage> {
  const ns = validateNamespace(req.namespace)
  await refreshSummaries(ctx, ns)
  let filter: ReturnType<typeof parseAll> | null = null
  if (req.filter && req.filter !== '') {
    try {
      filter = parseAll(req.filter)
    } catch (e) {
      return { items: [], total: 0, totalBytes: 0, filterError: filterErrorOf(req.filter, e) }
    }
  }
  let items = readAll(ctx, ns)
  if (filter) {
    const f = filter
    items = items.filter((c) => {
      const core = adaptContent(c)
      // The app also filters on size, which containerd leaves out.
      return f.match((fp) => (fp[0] === 'size' ? String(c.size) : core(fp)))
    })
  }
  const q = (req.query ?? '').trim().toLowerCase()
  if (q) {
    items = items.filter(
      (c) =>
        c.digest.includes(q) ||
        (c.mediaType ?? '').toLowerCase().includes(q) ||
        c.images.some((n) => n.toLowerCase().includes(q)) ||
        Object.values(c.labels).some((v) => v.toLowerCase().includes(q)),
    )
  }
  const offset = Math.max(0, req.offset ?? 0)
  const limit = Math.max(0, req.limit ?? 500)
  return {
    items: items.slice(offset, offset + limit),
    total: items.length,
    totalBytes: items.reduce((a, c) => a + c.size, 0),
  }
}

function readAll(ctx: ServiceContext, ns: string): ContentItem[] {
  const rows = ctx.db
    .prepare(
      `SELECT c.digest, c.size, c.created_at AS createdAt, c.updated_at AS updatedAt,
              (SELECT b.media_type FROM image_summary_blobs b
                WHERE b.namespace = c.namespace AND b.digest = c.digest AND b.media_type <> '' LIMIT 1) AS mediaType,
              (SELECT b.kind FROM image_summary_blobs b
                WHERE b.namespace = c.namespace AND b.digest = c.digest AND b.kind <> '' LIMIT 1) AS kind,
              (SELECT group_concat(b.name, char(10)) FROM image_summary_blobs b
                WHERE b.namespace = c.namespace AND b.digest = c.digest) AS images
         FROM content c WHERE c.namespace = ? ORDER BY c.digest`,
    )
    .all(ns) as Row[]
  const labels = groupLabels(
    ctx.db.prepare('SELECT digest, key, value FROM content_labels WHERE namespace = ?').raw().all(ns) as [
      string,
      string,
      string,
    ][],
  )
  return rows.map((r) => ({
    digest: r.digest,
    size: r.size,
    kind:
      (r.kind as NodeKind | null) ??
      (r.mediaType ? kindOf({ mediaType: r.mediaType, digest: r.digest, size: r.size }) : 'other'),
    mediaType: r.mediaType,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    labels: labels.get(r.digest) ?? {},
    images: r.images ? [...new Set(r.images.split('\n'))].sort() : [],
  }))
}

export async function setContentLabels(
  ctx: ServiceContext,
  req: ContentSetLabelsRequest,
): Promise<ContentItem> {
  const ns = validateNamespace(req.namespace)
  if (!isDigest(req.digest)) throw invalidArgument(`invalid digest ${JSON.stringify(req.digest)}`)
  const keys = Object.keys(req.changes)
  const { labels, paths } = labelEdit(req.changes)
  if (req.expectedUpdatedAt !== undefined) {
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
  await ctx.content.update(ns, { digest: req.digest, labels }, ...paths)
  const page = await listContent(ctx, { namespace: ns, filter: `digest==${req.digest}`, limit: 1 })
  if (!page.items[0])
    throw notFound(
      `content ${req.digest} was removed right after its labels were set (a GC?); reload the list`,
    )
  return page.items[0]
}
