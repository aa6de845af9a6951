// Pull and push throughput against a local docker-registry: a 3-layer image of 300 MiB (incompressible),
// `berth pull` vs `skopeo copy docker://… oci:…`, and `berth push` vs `skopeo copy oci:… docker://…`,
// in the same run. Each push round goes to a fresh registry so that neither side can mount or skip.
// Run: npx tsx bench/pull.ts [MiB] [rounds]. Goal: both ratios ≤ 1.0.
import { execFile, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { ContentStore } from '../src-main/core/content/store'
import { openDatabase } from '../src-main/core/db'
import { ImageStore } from '../src-main/core/images/store'
import { pull } from '../src-main/core/transfer/registry/pull'
import { push } from '../src-main/core/transfer/registry/push'
import { multiPlatformImage, writeOCILayoutDir } from '../test/fixtures/images'
import { startRegistry, type RunningRegistry } from '../test/registry/support/registry'
import { seedRegistry } from '../test/registry/support/stores'

const run = promisify(execFile)
const MiB = 1 << 20
const totalMiB = Number(process.argv[2] ?? 300)
const rounds = Number(process.argv[3] ?? 3)
const work = resolve(__dirname, '.work', `pull-${process.pid}`)

function need(tool: string): void {
  if (spawnSync('which', [tool]).status !== 0) {
    console.log(`bench/pull: skipped: ${tool} is not installed`)
    process.exit(0)
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

function openStore(dir: string) {
  mkdirSync(dir, { recursive: true })
  const db = openDatabase(join(dir, 'berth.db'))
  return { db, cs: new ContentStore(join(dir, 'store'), db), images: new ImageStore(db), ns: 'default' }
}

async function main(): Promise<void> {
  need('docker-registry')
  need('skopeo')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const layerSize = Math.floor((totalMiB * MiB) / 3)
  console.log(`bench/pull: building a 3-layer image of ${totalMiB} MiB …`)
  const fx = multiPlatformImage({
    seed: 'bench-pull',
    platforms: ['linux/amd64'],
    layers: 3,
    layerSize,
    compression: 'none',
  })
  const source = await startRegistry()
  const registries: RunningRegistry[] = [source]
  try {
    await seedRegistry(source.url, 'bench/src', 'v1', fx)
    const layout = join(work, 'layout')
    writeOCILayoutDir(layout, [{ fixture: fx, name: 'bench/src:v1' }])
    const ref = `${source.host}/bench/src:v1`

    const berthPull: number[] = []
    const skopeoPull: number[] = []
    for (let i = 0; i < rounds; i++) {
      const dir = join(work, `berth-pull-${i}`)
      const s = openStore(dir)
      berthPull.push(await time(() => pull({ ...s, ref, platforms: 'all' })))
      s.db.close()
      rmSync(dir, { recursive: true, force: true })
      const oci = join(work, `skopeo-pull-${i}`)
      skopeoPull.push(
        await time(() =>
          run('skopeo', [
            '--insecure-policy',
            'copy',
            '--quiet',
            '--src-tls-verify=false',
            `docker://${ref}`,
            `oci:${oci}:v1`,
          ]),
        ),
      )
      rmSync(oci, { recursive: true, force: true })
    }

    // Push from a store loaded with the image but without distribution.source labels.
    const local = openStore(join(work, 'berth-local'))
    await pull({ ...local, ref, platforms: 'all' })
    local.db.prepare(`DELETE FROM content_labels WHERE key LIKE 'containerd.io/distribution.source.%'`).run()
    const berthPush: number[] = []
    const skopeoPush: number[] = []
    for (let i = 0; i < rounds; i++) {
      const a = await startRegistry()
      registries.push(a)
      berthPush.push(await time(() => push({ ...local, name: ref, ref: `${a.host}/bench/berth:v1` })))
      await a.stop()
      local.db
        .prepare(`DELETE FROM content_labels WHERE key LIKE 'containerd.io/distribution.source.%'`)
        .run()
      const b = await startRegistry()
      registries.push(b)
      skopeoPush.push(
        await time(() =>
          run('skopeo', [
            '--insecure-policy',
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            `oci:${layout}:v1`,
            `docker://${b.host}/bench/skopeo:v1`,
          ]),
        ),
      )
      await b.stop()
    }
    local.db.close()

    const mbps = (ms: number): string => `${((totalMiB / ms) * 1000).toFixed(0)} MiB/s`
    const report = (what: string, berth: number[], skopeo: number[]): void => {
      const b = median(berth)
      const s = median(skopeo)
      console.log(
        `${what}: berth ${b.toFixed(0)} ms (${mbps(b)}), skopeo ${s.toFixed(0)} ms (${mbps(s)}), ratio ${(b / s).toFixed(2)} (goal ≤ 1.0)`,
      )
    }
    console.log(`bench/pull: ${totalMiB} MiB, 3 layers, median of ${rounds} rounds`)
    report('pull', berthPull, skopeoPull)
    report('push', berthPush, skopeoPush)
  } finally {
    for (const r of registries) await r.stop().catch(() => {})
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
