// Image store benchmark: 100,000 records in a real SQLite file, then the list paths the UI uses.
// Prints times and ratios against bare SELECTs measured in the same run; asserts nothing.
//   npx tsx bench/images.ts [count]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../src-main/core/db'
import { digestOf } from '../src-main/core/digest'
import { ImageStore, type ImageInput } from '../src-main/core/images/store'

const COUNT = Number(process.argv[2] ?? 100_000)
const BATCH = 1_000
const NS = 'default'
const ENVS = ['prod', 'staging', 'dev', 'test', 'qa', 'canary', 'perf', 'sandbox', 'demo', 'ci'] // prod: 1 in 10

function record(i: number): ImageInput {
  // One name in 100 contains "foo".
  const repo = i % 100 === 0 ? `foo-service-${i % 7}` : `app-${i % 997}`
  return {
    name: `registry.example.com/team-${i % 50}/${repo}:v${i}`,
    labels: {
      env: ENVS[i % ENVS.length],
      team: `team-${i % 50}`,
      'org.opencontainers.image.version': `1.${i % 30}.0`,
    },
    target: {
      mediaType:
        i % 3 === 0
          ? 'application/vnd.oci.image.index.v1+json'
          : 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(`image-${i}`),
      size: 500 + (i % 4000),
      ...(i % 5 === 0 ? { annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } } : {}),
    },
  }
}

/**
 * Best and median of `runs` timings after one warm-up call. The best is what the code costs; the
 * median also carries whatever else the machine was doing (shared CI cores).
 */
function time<T>(runs: number, fn: () => T): { ms: number; median: number; result: T } {
  let result = fn()
  const ts: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    result = fn()
    ts.push(performance.now() - t0)
  }
  ts.sort((a, b) => a - b)
  return { ms: ts[0], median: ts[Math.floor(ts.length / 2)], result }
}

const fmt = (t: { ms: number; median: number }) =>
  `${t.ms.toFixed(1).padStart(8)} ms (median ${t.median.toFixed(1).padStart(7)})`

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-images-'))
  const db = openDatabase(join(dir, 'berth.db'))
  try {
    const store = new ImageStore(db)
    const t0 = performance.now()
    for (let start = 0; start < COUNT; start += BATCH) {
      const batch: ImageInput[] = []
      for (let i = start; i < Math.min(COUNT, start + BATCH); i++) batch.push(record(i))
      store.createMany(NS, batch)
    }
    const insertMs = performance.now() - t0
    console.log(`create ${COUNT} images (transactions of ${BATCH}): ${(insertMs / 1000).toFixed(2)} s`)

    // The same rows list reads: each image with its label object.
    const bareRows = db.prepare(
      `SELECT * FROM images i LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name
       WHERE i.namespace = ? ORDER BY i.name`,
    )
    const bareImages = db.prepare('SELECT * FROM images WHERE namespace = ? ORDER BY name')
    const runs = 7
    const bare = time(runs, () => bareRows.all(NS).length)
    const bareImagesOnly = time(runs, () => bareImages.all(NS).length)
    const all = time(runs, () => store.list(NS))
    const foo = time(runs, () => store.list(NS, 'name~=foo'))
    const prod = time(runs, () => store.list(NS, 'labels."env"==prod'))
    const byName = time(runs, () => store.list(NS, `name==${record(4242).name}`))
    const get = time(runs, () => store.get(NS, record(4242).name))
    let n = 0
    const update = time(runs, () =>
      store.update(NS, { ...record(4242), labels: { note: `n${n++}` } }, 'labels.note'),
    )

    console.log(`(best of ${runs} after a warm-up; median in brackets)`)
    console.log(`bare SELECT * images+label maps ${fmt(bare)}  (${bare.result} rows)`)
    console.log(`bare SELECT * images only       ${fmt(bareImagesOnly)}`)
    console.log(`list all                        ${fmt(all)}  (${all.result.length} images)`)
    console.log(`list name~=foo                  ${fmt(foo)}  (${foo.result.length} images)  goal <= 50 ms`)
    console.log(`list labels."env"==prod         ${fmt(prod)}  (${prod.result.length} images)  goal <= 50 ms`)
    console.log(`list name==<one>                ${fmt(byName)}  (${byName.result.length} image)`)
    console.log(`get by name                     ${fmt(get)}`)
    console.log(`update one label                ${fmt(update)}`)
    console.log(`ratio list all / bare same rows ${(all.ms / bare.ms).toFixed(2)}x  goal <= 2x`)
    console.log(`ratio list all / bare images    ${(all.ms / bareImagesOnly.ms).toFixed(2)}x`)
    console.log(`peak RSS                        ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
