// The app's list benchmark: 10,000 images over shared layers in a real store on disk, listed through
// the service the window calls (images.list with platforms, sizes and unique sizes), then shown in
// Debian's Chromium through the loopback bridge: how many rows the DOM holds and how much main-thread work
// each frame of a scripted scroll from top to bottom takes (bench/frames.ts). Prints figures; asserts nothing.
//   npx tsx bench/list.ts [count] [--no-ctr]
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openBerth } from '../src-main/service/berth'
import { createHandlers } from '../src-main/service/index'
import { exportArchive } from '../src-main/core/transfer/export'
import { startBridge } from '../test/e2e/bridge'
import { chromiumMissing, ensureRendererBuilt } from '../test/e2e/harness'
import type { Browser } from 'playwright-core'
import {
  describePaced,
  describeUnthrottled,
  idleFrames,
  janky,
  launchPacedChromium,
  launchUnthrottledChromium,
  scrollFrames,
  type FrameRun,
} from './frames'
import { writeSyntheticStore } from './synthetic'

const args = process.argv.slice(2)
const COUNT = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000)
/** --no-ctr skips the containerd comparison (its setup imports the images into containerd: minutes). */
const WITH_CTR = !args.includes('--no-ctr')
const NS = 'default'
const BASES = 40 // distinct base layer stacks, shared by many images

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-list-'))
const root = join(dir, 'root')
const berth = openBerth({ root, host: { os: 'linux', architecture: 'amd64' } })

console.log(`bench/list: ${COUNT} images over ${BASES} shared base stacks in ${root}`)
let t0 = performance.now()
const { blobs } = writeSyntheticStore(berth, { ns: NS, count: COUNT, bases: BASES })
console.log(`  setup: ${blobs} blob writes, ${((performance.now() - t0) / 1000).toFixed(1)} s`)

const h = createHandlers(berth, {
  emit: () => {},
  appInfo: () => ({
    name: 'Berth',
    version: '0',
    electron: null,
    node: process.versions.node,
    chromium: null,
    platform: '',
    storePath: root,
    hostPlatform: 'linux/amd64',
  }),
})

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    ts.push(performance.now() - t)
  }
  ts.sort((a, b) => a - b)
  return ts[Math.floor(ts.length / 2)]
}

async function main(): Promise<void> {
  t0 = performance.now()
  await h['images.list']({ namespace: NS, limit: 100 })
  const cold = performance.now() - t0
  const page = await median(9, () => h['images.list']({ namespace: NS, limit: 100 }))
  const all = await median(5, () => h['images.list']({ namespace: NS, limit: COUNT }))
  const sorted = await median(5, () =>
    h['images.list']({ namespace: NS, limit: COUNT, sort: { key: 'unique', direction: 'desc' } }),
  )
  const filtered = await median(5, () =>
    h['images.list']({ namespace: NS, limit: COUNT, filter: 'labels."env"==prod' }),
  )
  const r = await h['images.list']({ namespace: NS, limit: COUNT })
  console.log(
    `  first list (builds ${COUNT} summaries by walking the blobs once): ${(cold / 1000).toFixed(2)} s`,
  )
  console.log(`  images.list page of 100:                ${page.toFixed(1)} ms`)
  console.log(
    `  images.list all ${COUNT} (sizes+platforms): ${all.toFixed(1)} ms  (goal ≤ 200 ms: ${all <= 200 ? 'met' : 'NOT met'})`,
  )
  console.log(`  images.list all, sorted by unique size: ${sorted.toFixed(1)} ms`)
  console.log(`  images.list labels."env"==prod:          ${filtered.toFixed(1)} ms`)
  console.log(
    `  check: ${r.items.length} items, ${r.items.filter((i) => i.platforms.length === 2).length} multi-platform, sizes ${r.items[0].size}/${r.items[0].uniqueSize} (size/unique)`,
  )

  // ctr on the same images: a private containerd (own root, state and socket under the bench's
  // temporary directory) is started, given the same 10,000 images through an OCI archive that Berth
  // exports, and asked `ctr images ls`.
  console.log(`  ratio to \`ctr images ls\`: ${WITH_CTR ? await ctrComparison(all) : 'skipped (--no-ctr)'}`)

  // --- the same list in Chromium
  const missing = chromiumMissing()
  if (missing) {
    console.log(`  Chromium: skipped (${missing})`)
  } else {
    const bridge = await startBridge({
      root,
      rendererDir: await ensureRendererBuilt(),
      host: { os: 'linux', architecture: 'amd64' },
    })
    // See bench/frames.ts for what a frame's time means here and why it is not the rAF delta.
    const browser = await launchPacedChromium()
    const open = async (b: Browser) => {
      const p = await b.newPage({ viewport: { width: 1360, height: 820 } })
      await p.goto(bridge.url)
      await p.locator('.body [role="row"][data-name]').first().waitFor({ timeout: 30_000 })
      return p
    }
    // 120 px a frame: 10,000 rows x 34 px in about 2,800 frames, a fast fling held from top to bottom.
    const STEP = 120
    try {
      const p = await open(browser)
      const domRows = await p.locator('[role="row"]').count()
      const idle = await idleFrames(p)
      const first = await scrollFrames(p, '.body', STEP)
      // Second pass: every page is loaded now, so this is rendering alone.
      const again = await scrollFrames(p, '.body', STEP)
      const verdict = (r: FrameRun) => (janky(r) < 5 ? 'met' : 'NOT met')
      console.log(
        `  Chromium: DOM rows with ${COUNT} images: ${domRows} (goal < 200: ${domRows < 200 ? 'met' : 'NOT met'}), most during the scroll: ${first.maxRows}`,
      )
      console.log(`  Chromium idle reference (same page, nothing moves): ${describePaced(idle)}`)
      console.log(`  Chromium scroll top→bottom: ${describePaced(first)}; goal < 5%: ${verdict(first)}`)
      console.log(
        `  Chromium second scroll (pages already loaded): ${describePaced(again)}; goal < 5%: ${verdict(again)}`,
      )
      await browser.close()
      const unthrottled = await launchUnthrottledChromium()
      try {
        const u = await open(unthrottled)
        const uIdle = await idleFrames(u)
        const uScroll = await scrollFrames(u, '.body', STEP)
        console.log(
          `  whole pipeline incl. raster, unthrottled (upper bound, Chromium's own spin shares the CPU): ` +
            `scroll ${describeUnthrottled(uScroll)}; idle ${describeUnthrottled(uIdle)}`,
        )
      } finally {
        await unthrottled.close()
      }
    } finally {
      await browser.close()
      await bridge.close()
    }
  }

  berth.close()
  rmSync(dir, { recursive: true, force: true })
}

async function ctrComparison(berthAllMs: number): Promise<string> {
  const has = (cmd: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' })
      return true
    } catch {
      return false
    }
  }
  if (!has('ctr') || !has('containerd')) return 'containerd/ctr not installed: skipped'
  const cdir = join(dir, 'containerd')
  mkdirSync(cdir, { recursive: true })
  const sock = join(cdir, 'containerd.sock')
  writeFileSync(
    join(cdir, 'config.toml'),
    [
      'version = 2',
      `root = "${join(cdir, 'root')}"`,
      `state = "${join(cdir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
    ].join('\n'),
  )
  const daemon = spawn('containerd', ['--config', join(cdir, 'config.toml')], { stdio: 'ignore' })
  try {
    for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100))
    if (!existsSync(sock)) return 'containerd did not start: skipped'
    const archive = join(dir, 'all.tar')
    const names = (
      berth.db.prepare('SELECT name FROM images WHERE namespace = ?').pluck().all(NS) as string[]
    ).sort()
    let t = performance.now()
    await exportArchive({ content: berth.content, images: berth.images }, NS, names, archive, {
      allPlatforms: true,
    })
    const exportS = (performance.now() - t) / 1000
    t = performance.now()
    execFileSync(
      'ctr',
      ['-a', sock, '-n', NS, 'images', 'import', '--no-unpack', '--all-platforms', archive],
      {
        stdio: 'pipe',
        maxBuffer: 1 << 28,
      },
    )
    const importS = (performance.now() - t) / 1000
    const ls = () =>
      execFileSync('ctr', ['-a', sock, '-n', NS, 'images', 'ls'], { stdio: 'pipe', maxBuffer: 1 << 28 })
    const listed = ls().toString().trim().split('\n').length - 1
    const ts: number[] = []
    for (let i = 0; i < 3; i++) {
      t = performance.now()
      ls()
      ts.push(performance.now() - t)
    }
    ts.sort((a, b) => a - b)
    const ctrMs = ts[1]
    return (
      `ctr images ls of ${listed} images: ${(ctrMs / 1000).toFixed(2)} s; Berth's images.list of all: ${berthAllMs.toFixed(1)} ms ` +
      `→ ${(ctrMs / berthAllMs).toFixed(0)}× faster (setup: Berth export ${exportS.toFixed(1)} s, ctr import ${importS.toFixed(1)} s)`
    )
  } catch (e) {
    return `ctr comparison failed: ${(e as Error).message.split('\n')[0]}`
  } finally {
    daemon.kill('SIGTERM')
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
