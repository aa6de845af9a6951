// Every read the app and the CLI make, in process, at 100,000 images: p50 and p95 of each, against a
// bare SQLite SELECT of one page of names measured in the same run (the floor any page read stands on).
// The store is generated with SQL (test/fixtures/scale-store.ts); then, once, the time the service
// takes to build every summary from nothing (an upgraded store's first read). Prints figures, asserts
// nothing.   npx tsx bench/reads.ts [count] [--no-rebuild]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openBerth } from '../src-main/service/berth'
import { listContent } from '../src-main/service/content'
import { imageDetails } from '../src-main/service/image-details'
import { imageSummary, listImageNames, listImages } from '../src-main/service/images-list'
import { setImageLabels } from '../src-main/service/labels'
import { removePreview } from '../src-main/service/remove-preview'
import { refreshSummaries } from '../src-main/service/summaries'
import { fillScaleStore, scaleName } from '../test/fixtures/scale-store'

const args = process.argv.slice(2)
const COUNT = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000)
const REBUILD = !args.includes('--no-rebuild')
const NS = 'default'
const RUNS = 40
const GOAL_MS = 50

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

async function measure(fn: (i: number) => unknown): Promise<{ p50: number; p95: number }> {
  await fn(0) // warm: statements prepared, pages cached
  const ts: number[] = []
  for (let i = 1; i <= RUNS; i++) {
    const t = performance.now()
    await fn(i)
    ts.push(performance.now() - t)
  }
  ts.sort((a, b) => a - b)
  return { p50: quantile(ts, 0.5), p95: quantile(ts, 0.95) }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-reads-'))
  const berth = openBerth({ root: dir, host: { os: 'linux', architecture: 'amd64' } })
  try {
    let t = performance.now()
    const { prod } = await fillScaleStore(berth, NS, COUNT, Date.UTC(2026, 0, 1))
    console.log(
      `bench/reads: ${COUNT} images (${prod} labelled env=prod), generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )

    const bare = berth.db
      .prepare('SELECT name FROM images WHERE namespace = ? ORDER BY name LIMIT 100 OFFSET ?')
      .pluck()
    const ref = await measure((i) => bare.all(NS, (i * 997) % COUNT))
    const bareAll = berth.db.prepare('SELECT name FROM images WHERE namespace = ? ORDER BY name').pluck()
    const refAll = await measure(() => bareAll.all(NS))
    const name = (i: number) => scaleName((i * 7919) % COUNT)
    let edited = 0
    const reads: [string, (i: number) => unknown][] = [
      ['list page (name order)', () => listImages(berth, { namespace: NS })],
      [
        'list page at a random offset',
        (i) => listImages(berth, { namespace: NS, offset: (i * 997) % COUNT }),
      ],
      [
        'list page sorted by size, desc',
        (i) =>
          listImages(berth, {
            namespace: NS,
            sort: { key: 'size', direction: 'desc' },
            offset: (i * 997) % COUNT,
          }),
      ],
      [
        'filtered page labels."env"==prod',
        () => listImages(berth, { namespace: NS, filter: 'labels."env"==prod' }),
      ],
      [
        'filtered page name~=^registry\\.example\\.com/team-7/ (a prefix range)',
        () => listImages(berth, { namespace: NS, filter: 'name~=^registry\\.example\\.com/team-7/' }),
      ],
      [
        'filtered page name~=app-9[0-9]+: (every image judged)',
        () => listImages(berth, { namespace: NS, filter: 'name~=app-9[0-9]+:' }),
      ],
      ['quick search', (i) => listImages(berth, { namespace: NS, query: `app-${i % 997}:v` })],
      ['summary by key', (i) => imageSummary(berth, NS, name(i))],
      [
        'summary after a label edit',
        async (i) => {
          const s = await imageSummary(berth, NS, name(i))
          return setImageLabels(berth, {
            namespace: NS,
            name: s.name,
            changes: { bench: String(edited++) },
            expectedUpdatedAt: s.updatedAt,
          })
        },
      ],
      ['details', (i) => imageDetails(berth, NS, name(i))],
      ['delete preview, one image', (i) => removePreview(berth, { namespace: NS, names: [name(i)] })],
      ['content page', () => listContent(berth, { namespace: NS, limit: 500 })],
      ['names only (ls -q), all', () => listImageNames(berth, NS)],
      ['names only, filtered', () => listImageNames(berth, NS, ['labels."env"==prod'])],
    ]
    console.log(
      `  reference: bare SELECT of one page of names at a random offset  p50 ${ref.p50.toFixed(2)} ms  ` +
        `p95 ${ref.p95.toFixed(2)} ms; for names only, all: a bare SELECT of all names, p50 ${refAll.p50.toFixed(2)} ms`,
    )
    console.log(
      `  ${'read'.padEnd(60)} ${'p50'.padStart(9)} ${'p95'.padStart(9)}   p50 / reference   (goal p95 ≤ ${GOAL_MS} ms)`,
    )
    for (const [what, fn] of reads) {
      const m = await measure(fn)
      const base = what.startsWith('names only (ls -q), all') ? refAll : ref
      const goal = m.p95 <= GOAL_MS ? 'met' : 'NOT met'
      console.log(
        `  ${what.padEnd(60)} ${m.p50.toFixed(2).padStart(6)} ms ${m.p95.toFixed(2).padStart(6)} ms   ${(m.p50 / base.p50).toFixed(1).padStart(6)}×   ${goal}`,
      )
    }

    if (REBUILD) {
      // Every summary from nothing, as after an upgrade: the one read that walks every image.
      berth.db
        .exec(`DELETE FROM image_summaries; DELETE FROM image_summary_blobs; DELETE FROM image_summary_digests; DELETE FROM image_search;
        INSERT INTO image_summary_marks (namespace, name, walk) SELECT namespace, name, 1 FROM images WHERE true
        ON CONFLICT DO UPDATE SET walk = 1;`)
      t = performance.now()
      const cpu = process.cpuUsage()
      const n = await refreshSummaries(berth, NS)
      const used = process.cpuUsage(cpu)
      console.log(
        `  first refresh of ${n} summaries from nothing: ${((performance.now() - t) / 1000).toFixed(1)} s ` +
          `(${((used.user + used.system) / 1e6).toFixed(1)} s CPU); then a read costs the probe above`,
      )
    }
  } finally {
    berth.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
