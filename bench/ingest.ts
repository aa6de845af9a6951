// Ingest throughput: a 512 MiB random file written into the content store through a Writer (commit,
// fsync and rename included) against `sha256sum` of the same file, in the same run.
// Run: npx tsx bench/ingest.ts [MiB] [rounds]. Goal: ratio ≤ 1.3.
import { spawnSync } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { openDatabase } from '../src-main/core/db'
import { ContentStore } from '../src-main/core/content/store'

const MiB = 1 << 20
const size = Number(process.argv[2] ?? 512) * MiB
const rounds = Number(process.argv[3] ?? 5)
const work = resolve(__dirname, '.work', `ingest-${process.pid}`)

function makeFile(path: string): string {
  const h = createHash('sha256')
  const buf = Buffer.allocUnsafe(4 * MiB)
  const fd = openSync(path, 'w')
  try {
    for (let done = 0; done < size; done += buf.length) {
      const n = Math.min(buf.length, size - done)
      randomFillSync(buf, 0, n)
      h.update(buf.subarray(0, n))
      writeSync(fd, buf, 0, n)
    }
  } finally {
    closeSync(fd)
  }
  return `sha256:${h.digest('hex')}`
}

function sha256sum(path: string, digest: string): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('sha256sum', [path], { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0 || !r.stdout.startsWith(digest.slice(7)))
    throw new Error(`sha256sum failed: ${r.stderr}`)
  return ms
}

async function ingest(path: string, digest: string, round: number): Promise<number> {
  const dir = join(work, `store-${round}`)
  mkdirSync(dir, { recursive: true })
  const db = openDatabase(join(dir, 'berth.db'))
  const cs = new ContentStore(join(dir, 'content'), db)
  try {
    const t0 = process.hrtime.bigint()
    await cs.ingestFile('bench', 'bench-blob', path, { mediaType: 'application/octet-stream', digest, size })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if ((await cs.info('bench', digest)).size !== size) throw new Error('blob not committed')
    return ms
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true })
  try {
    const file = join(work, 'random.bin')
    process.stdout.write(`writing ${size / MiB} MiB of random data… `)
    const digest = makeFile(file)
    process.stdout.write('done\n')
    sha256sum(file, digest) // warm the page cache for both sides alike
    const sums: number[] = []
    const writes: number[] = []
    for (let r = 0; r < rounds; r++) {
      sums.push(sha256sum(file, digest))
      writes.push(await ingest(file, digest, r))
    }
    const s = median(sums)
    const w = median(writes)
    const rate = (ms: number) => `${(size / MiB / (ms / 1000)).toFixed(0)} MiB/s`
    console.log(
      `sha256sum:          ${s.toFixed(0)} ms (${rate(s)})  runs: ${sums.map((x) => x.toFixed(0)).join(', ')}`,
    )
    console.log(
      `ContentStore write: ${w.toFixed(0)} ms (${rate(w)})  runs: ${writes.map((x) => x.toFixed(0)).join(', ')}`,
    )
    console.log(`ratio (median write / median sha256sum): ${(w / s).toFixed(2)}  (goal ≤ 1.3)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
