// Argument checking on the page call: 10,000 varied images.list argument lists (what a scrolling,
// filtering, sorting window sends) checked by the valibot schema main and the host use now
// (checkArgs) and by the hand-written check it replaced (bench/args-old.ts), alternating in the same
// run. Prints per-call medians and the ratio new/old, with two yardsticks: structuredClone of the same
// arguments (every IPC call pays it, twice: renderer to main, main to the host) and the page call
// itself (images.list's use case on a store of 10,000 images). Asserts nothing.
//   npx tsx bench/args.ts [rounds]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkArgs } from '../src-main/app/check-args'
import { openBerth } from '../src-main/service/berth'
import { createHandlers } from '../src-main/service/index'
import { oldImagesList } from './args-old'
import { writeSyntheticStore } from './synthetic'

const ROUNDS = Number(process.argv[2] ?? 15)
const N = 10_000
const KEYS = ['name', 'tag', 'kind', 'platforms', 'size', 'unique', 'updated', 'created'] as const

const calls: unknown[][] = Array.from({ length: N }, (_, i) => {
  const req: Record<string, unknown> = { namespace: i % 7 ? 'default' : `team-${i % 50}` }
  if (i % 3 === 0) req.filter = `name~="^docker.io/library/app-${i % 100}"`
  if (i % 4 === 0) req.query = `app-${i % 1000}`
  if (i % 2 === 0) req.sort = { key: KEYS[i % KEYS.length], direction: i % 4 ? 'asc' : 'desc' }
  req.offset = (i * 100) % 10_000
  req.limit = 100
  return [req]
})

function perCall(fn: (args: unknown[]) => unknown): number {
  const t0 = process.hrtime.bigint()
  for (const c of calls) fn(c)
  return Number(process.hrtime.bigint() - t0) / N
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const oldCheck = (a: unknown[]) => oldImagesList(a, 'images.list')
const newCheck = (a: unknown[]) => checkArgs('images.list', a)
const clone = (a: unknown[]) => structuredClone(a)

// Warm both up, and check they agree on every call before timing anything.
for (const c of calls) {
  if (JSON.stringify(oldCheck(c)) !== JSON.stringify(newCheck(c))) throw new Error('old and new disagree')
}
for (let i = 0; i < 3; i++) [oldCheck, newCheck, clone].forEach(perCall)

const times = { old: [] as number[], new: [] as number[], clone: [] as number[] }
for (let r = 0; r < ROUNDS; r++) {
  // Alternate the order so neither always runs on a warmer machine.
  if (r % 2) {
    times.new.push(perCall(newCheck))
    times.old.push(perCall(oldCheck))
  } else {
    times.old.push(perCall(oldCheck))
    times.new.push(perCall(newCheck))
  }
  times.clone.push(perCall(clone))
}

const [o, n, c] = [median(times.old), median(times.new), median(times.clone)]
console.log(`bench/args: ${N} images.list argument lists, ${ROUNDS} rounds (medians per call)`)
console.log(`  hand-written check (reference): ${(o / 1000).toFixed(2)} µs`)
console.log(
  `  valibot schema (checkArgs):     ${(n / 1000).toFixed(2)} µs   ratio new/old ${(n / o).toFixed(2)}`,
)
console.log(
  `  structuredClone of the same:    ${(c / 1000).toFixed(2)} µs   new check / clone ${(n / c).toFixed(2)}`,
)

/** The page call the check guards: the same arguments, answered from a real store on disk. */
async function pageCall(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-args-'))
  const berth = openBerth({ root: join(dir, 'root'), host: { os: 'linux', architecture: 'amd64' } })
  try {
    writeSyntheticStore(berth, { ns: 'default', count: N, targets: 500, bases: 40 })
    const h = createHandlers(berth, {
      emit: () => {},
      appInfo: () => {
        throw new Error('not asked')
      },
    })
    const pages: number[] = []
    for (const [req] of calls.filter((_, i) => i % 7).slice(0, 300) as [never][]) {
      const t0 = process.hrtime.bigint()
      await h['images.list'](req)
      pages.push(Number(process.hrtime.bigint() - t0))
    }
    return median(pages)
  } finally {
    berth.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void pageCall().then((p) => {
  console.log(`  images.list page call (store of ${N} images): ${(p / 1000).toFixed(0)} µs`)
  const share = (x: number) => `${((2 * x * 100) / p).toFixed(2)} %`
  console.log(`  checking twice (main, then the host) per page call: old ${share(o)}, new ${share(n)}`)
})
