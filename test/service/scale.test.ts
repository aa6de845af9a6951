// Every read the app makes, at 100,000 images, shown bounded by structure rather than by time: each
// statement a call runs is planned through indexes (EXPLAIN QUERY PLAN: no scan of a table, no sort of
// the namespace for a page), the rows it returns stay near the page size, and a read when nothing
// changed reads no blob. The images are generated with SQL (test/fixtures/scale-store.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Provider } from '../../src-main/core/content/provider'
import type { Database } from '../../src-main/core/db'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { listContent } from '../../src-main/service/content'
import type { ServiceContext } from '../../src-main/service/context'
import { imageDetails } from '../../src-main/service/image-details'
import { imageSummary, listImageNames, listImages } from '../../src-main/service/images-list'
import { setImageLabels } from '../../src-main/service/labels'
import { removePreview } from '../../src-main/service/remove-preview'
import type { ImageFixture } from '../fixtures/images'
import { fillScaleStore, scaleName } from '../fixtures/scale-store'
import { recordStatements, type Run } from './recorded-statements'

const COUNT = 100_000
const nameOf = scaleName
const NS = 'default'
const T0 = Date.UTC(2026, 0, 1)

let dir: string
let berth: Berth
let fixtures: ImageFixture[]
let prod: number

/** The real store behind a connection that records every statement run, and a provider that counts reads. */
function recording(b: Berth) {
  const reads: string[] = []
  const { db, runs } = recordStatements(b.db)
  const ctx: ServiceContext = {
    ...b,
    db,
    content: {
      provider(ns): Provider {
        const p = b.content.provider(ns)
        return {
          has: (d) => p.has(d),
          readBlob: (d) => (reads.push(d.digest), p.readBlob(d)),
        }
      },
      update: (...a) => b.content.update(...a),
    },
  }
  return { ctx, runs, reads }
}

/** The tables whose every row a bounded read must not visit. */
const BIG =
  /\b(images|image_summaries|image_summary_blobs|image_labels|image_label_maps|content|content_labels|image_search)\b/

/**
 * The plan of one statement, line by line, with the table each alias stands for. A read is bounded when
 * no line scans a big table, and no line searches one on its namespace alone unless it is the ordered
 * page (a LIMIT read in index order, stopping at the page).
 */
function violations(db: Database, run: Run, orderedPage: boolean): string[] {
  const aliases = new Map<string, string>()
  for (const m of run.sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)/gi)) aliases.set(m[2], m[1])
  const table = (name: string) => aliases.get(name) ?? name
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${run.sql}`).all(...run.params) as { detail: string }[]
  const bad: string[] = []
  for (const { detail } of plan) {
    const scan = /^SCAN (\w+)(.*)$/.exec(detail)
    if (scan && BIG.test(table(scan[1]))) {
      // The trigram index answers GLOB (G) and rowid (=) constraints on the search table.
      if (!(table(scan[1]) === 'image_search' && /VIRTUAL TABLE INDEX \d+:[G=]/.test(scan[2])))
        bad.push(detail)
    }
    const search = /^SEARCH (\w+) USING .*\((namespace=\?)\)$/.exec(detail)
    if (search && BIG.test(table(search[1])) && !orderedPage) bad.push(detail)
    if (/TEMP B-TREE FOR (ORDER BY|LAST TERM)/.test(detail) && orderedPage) bad.push(detail)
  }
  return bad.map((d) => `${d}   in: ${run.sql.replace(/\s+/g, ' ').slice(0, 160)}`)
}

async function bounded<T>(
  what: string,
  call: (ctx: ServiceContext) => Promise<T> | T,
  opts: { orderedPage?: boolean; maxRows?: number } = {},
): Promise<{ result: T; runs: Run[]; reads: string[] }> {
  const { ctx, runs, reads } = recording(berth)
  const result = await call(ctx)
  const bad = runs.flatMap((r) =>
    violations(berth.db, r, (opts.orderedPage ?? false) && /\bLIMIT\b/.test(r.sql)),
  )
  expect(bad, what).toEqual([])
  const rows = runs.reduce((a, r) => a + r.rows, 0)
  expect(rows, `${what}: rows returned by its statements`).toBeLessThanOrEqual(opts.maxRows ?? 1000)
  return { result, runs, reads }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-scale-'))
  berth = openBerth({ root: dir, host: { os: 'linux', architecture: 'amd64' }, now: () => new Date(T0) })
  ;({ fixtures, prod } = await fillScaleStore(berth, NS, COUNT, T0))
}, 120_000)

afterAll(() => {
  berth?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe(`reads at ${COUNT.toLocaleString('en')} images`, () => {
  it('a read when nothing changed is one probe: no blob read, no summary written', async () => {
    const { result, reads, runs } = await bounded('list page', (ctx) => listImages(ctx, { namespace: NS }), {
      orderedPage: true,
    })
    expect(result.total).toBe(COUNT + 8)
    expect(result.items).toHaveLength(100)
    expect(reads).toEqual([])
    expect(runs.filter((r) => /^\s*(INSERT|UPDATE|DELETE)/.test(r.sql))).toEqual([])
  })

  it('pages in every sort order, at the start and deep down, from the sort key indexes', async () => {
    for (const key of ['name', 'tag', 'kind', 'platforms', 'size', 'unique', 'updated', 'created'] as const)
      for (const direction of ['asc', 'desc'] as const)
        for (const offset of [0, 50_000]) {
          const { result } = await bounded(
            `sorted by ${key} ${direction} at ${offset}`,
            (ctx) => listImages(ctx, { namespace: NS, sort: { key, direction }, offset, limit: 100 }),
            { orderedPage: true },
          )
          expect(result.items).toHaveLength(100)
        }
    const { result } = await bounded(
      'newest first',
      (ctx) => listImages(ctx, { namespace: NS, sort: { key: 'updated', direction: 'desc' }, limit: 1 }),
      { orderedPage: true },
    )
    expect(result.items[0].name).toBe(nameOf(COUNT - 1))
  })

  it('filters through the pushdown, judging only the candidates, in any sort order', async () => {
    for (const key of ['name', 'size', 'updated'] as const) {
      const { result } = await bounded(
        `labels.env==prod by ${key}`,
        (ctx) =>
          listImages(ctx, { namespace: NS, filter: 'labels."env"==prod', sort: { key, direction: 'desc' } }),
        { maxRows: 400 },
      )
      expect(result.total).toBe(prod)
    }
    const name = nameOf(7)
    const one = await bounded('name==', (ctx) => listImages(ctx, { namespace: NS, filter: `name==${name}` }))
    expect(one.result.items.map((i) => i.name)).toEqual([name])
    const digest = fixtures[3].target.digest
    const byDigest = await bounded(
      'target.digest== ORed with a label',
      (ctx) =>
        listImages(ctx, {
          namespace: NS,
          filters: [`target.digest==${digest},labels.env==dev`, 'name==nope'],
          limit: 10,
        }),
      { maxRows: 1200 },
    )
    expect(byDigest.result.items.every((i) => i.targetDigest === digest && i.labels.env === 'dev')).toBe(true)
  })

  it('answers the quick search from the trigram index', async () => {
    const q = 'APP-996:V99'
    const want = Array.from({ length: COUNT }, (_, i) => nameOf(i)).filter((n) => n.includes(q.toLowerCase()))
    const { result } = await bounded('query', (ctx) =>
      listImages(ctx, { namespace: NS, query: q, sort: { key: 'size', direction: 'asc' } }),
    )
    expect(result.items.map((i) => i.name).sort()).toEqual(want.sort())
    expect(result.total).toBe(want.length)
  })

  it('reads one image by its key, and names alone for the CLI', async () => {
    const name = nameOf(3)
    const { result } = await bounded('summary by key', (ctx) => imageSummary(ctx, NS, name))
    expect(result.name).toBe(name)
    const names = await bounded('names with a filter', (ctx) =>
      listImageNames(ctx, NS, ['labels."env"==prod']),
    )
    expect(names.result).toHaveLength(prod)
  })

  it('refreshes one summary after a label edit, reading no blob', async () => {
    const name = nameOf(5)
    const before = await imageSummary(berth, NS, name)
    const { result, reads, runs } = await bounded('label edit then summary', (ctx) =>
      setImageLabels(ctx, {
        namespace: NS,
        name,
        changes: { team: 'Blue' },
        expectedUpdatedAt: before.updatedAt,
      }),
    )
    expect(result.labels.team).toBe('Blue')
    expect(reads).toEqual([])
    expect(runs.filter((r) => /INSERT INTO image_summaries/.test(r.sql))).toEqual([])
    const found = await listImages(berth, { namespace: NS, query: 'blue' })
    expect(found.items.map((i) => i.name)).toEqual([name])
  })

  it('shows details and previews a delete from the image outward', async () => {
    const name = nameOf(9)
    const d = await bounded('details', (ctx) => imageDetails(ctx, NS, name))
    expect(d.result.summary.name).toBe(name)
    const p = await bounded('delete preview', (ctx) => removePreview(ctx, { namespace: NS, names: [name] }))
    // Every blob of a tag is shared with 12,500 others: deleting it frees nothing.
    expect(p.result).toMatchObject({ reclaimBytes: 0, blobs: 0 })
  })

  it('pages content with the images reaching each blob, counted without listing them all', async () => {
    const { result } = await bounded(
      'content page',
      (ctx) => listContent(ctx, { namespace: NS, limit: 50 }),
      {
        orderedPage: true,
      },
    )
    expect(result.total).toBe(new Set(fixtures.flatMap((f) => [...f.blobs.keys()])).size)
    const layer = result.items.find((i) => i.kind === 'layer')!
    expect(layer.images.length).toBeLessThanOrEqual(50)
    expect(layer.imageCount).toBeGreaterThan(10_000)
  })
})
