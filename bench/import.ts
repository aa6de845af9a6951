// Import and export throughput: a 300 MiB, 3-layer OCI archive of incompressible data, timed against
// `sha256sum` of the same file in the same run (goal ≤ 1.5×) and against containerd's
// `ctr images import --no-unpack --all-platforms` / `ctr images export --all-platforms` where containerd
// is installed and can start (goal: Berth ≥ 2.5× faster).
// Run: npx tsx bench/import.ts [MiB] [rounds]
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ContentStore } from '../src-main/core/content/store'
import { openDatabase } from '../src-main/core/db'
import { ImageStore } from '../src-main/core/images/store'
import { exportArchive } from '../src-main/core/transfer/export'
import { importArchive } from '../src-main/core/transfer/import'
import { singlePlatformImage, writeOCIArchive } from '../test/fixtures/images'
import { startContainerd } from '../test/transfer/containerd'

const MiB = 1 << 20
const total = Number(process.argv[2] ?? 300)
const rounds = Number(process.argv[3] ?? 3)
const work = resolve(__dirname, '.work', `import-${process.pid}`)
const NAME = 'docker.io/library/bench:300m'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

function sha256sum(file: string): number {
  const t = performance.now()
  const r = spawnSync('sha256sum', [file])
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`)
  return performance.now() - t
}

function openStore(dir: string) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const db = openDatabase(join(dir, 'berth.db'))
  return { db, content: new ContentStore(join(dir, 'store'), db), images: new ImageStore(db) }
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true })
  try {
    const file = join(work, 'bench.tar')
    const fx = singlePlatformImage({
      name: NAME,
      layers: 3,
      layerSize: Math.floor((total * MiB) / 3),
      compression: 'none',
      seed: 'bench',
    })
    writeOCIArchive(file, [fx])
    const size = statSync(file).size
    console.log(
      `archive: ${(size / MiB).toFixed(1)} MiB, 3 uncompressed layers of random bytes; ${rounds} rounds, medians`,
    )

    // Each round runs sha256sum, Berth and ctr back to back, so a busy machine slows all three alike.
    const t = {
      hashIn: [] as number[],
      berthIn: [] as number[],
      ctrIn: [] as number[],
      hashOut: [] as number[],
      berthOut: [] as number[],
      ctrOut: [] as number[],
    }
    let ctrMissing = false
    const out = join(work, 'export.tar')
    for (let i = 0; i < rounds; i++) {
      t.hashIn.push(sha256sum(file))
      const s = openStore(join(work, `root-${i}`))
      t.berthIn.push(await time(() => importArchive(s, 'default', file, { allPlatforms: true })))
      rmSync(out, { force: true })
      t.berthOut.push(await time(() => exportArchive(s, 'default', [NAME], out, { allPlatforms: true })))
      t.hashOut.push(sha256sum(out))
      s.db.close()
      rmSync(join(work, `root-${i}`), { recursive: true, force: true })
      const cd = ctrMissing ? undefined : await startContainerd()
      if (!cd) {
        ctrMissing = true
        continue
      }
      try {
        t.ctrIn.push(await time(() => cd.ctr('images', 'import', '--no-unpack', '--all-platforms', file)))
        const cout = join(work, 'ctr-export.tar')
        rmSync(cout, { force: true })
        t.ctrOut.push(await time(() => cd.ctr('images', 'export', '--all-platforms', cout, NAME)))
      } finally {
        await cd.stop()
      }
    }
    const bi = median(t.berthIn)
    const be = median(t.berthOut)
    console.log(
      `import: berth ${secs(bi)}, sha256sum ${secs(median(t.hashIn))}, ratio ${(bi / median(t.hashIn)).toFixed(2)}× (goal ≤ 1.5×)`,
    )
    console.log(
      `export: berth ${secs(be)}, sha256sum ${secs(median(t.hashOut))}, ratio ${(be / median(t.hashOut)).toFixed(2)}× (goal ≤ 1.5×)`,
    )
    if (t.ctrIn.length === 0) {
      console.log('ctr: skipped (containerd not installed or could not start)')
    } else {
      const ci = median(t.ctrIn)
      const ce = median(t.ctrOut)
      console.log(`import: ctr ${secs(ci)}, berth is ${(ci / bi).toFixed(2)}× faster (goal ≥ 2.5×)`)
      console.log(`export: ctr ${secs(ce)}, berth is ${(ce / be).toFixed(2)}× faster (goal ≥ 2.5×)`)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
