// Memory of a multi-GiB .tar.gz import: the RSS growth while a 4 GiB layer streams in (import-memory-child.ts),
// against the growth of the content store's own writeStream of 1 MiB chunks measured in the same run
// (memory-child.ts), the floor any import over the store can reach. Goal: the import within 2× of it.
// Run: npm run bench -- import-memory [MiB]
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const MiB = 1 << 20
const mib = Number(process.argv[2] ?? 4096)
const ROOT = resolve(__dirname, '..')
const work = resolve(__dirname, '.work', `import-memory-${process.pid}`)

function run(script: string, args: string[]): Record<string, number | boolean> {
  const dir = join(work, script.replace(/\W/g, '-'))
  mkdirSync(dir, { recursive: true })
  try {
    const t = performance.now()
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, dir, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`)
    return { ...JSON.parse(r.stdout.trim()), seconds: (performance.now() - t) / 1000 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const growth = (m: Record<string, number | boolean>) => ((m.peak as number) - (m.baseline as number)) / MiB

try {
  const imp = run('test/transfer/import-memory-child.ts', [String(mib)])
  const ref = run('test/core/content/memory-child.ts', ['stream', String(mib)])
  const gi = growth(imp)
  const gr = growth(ref)
  console.log(
    `import of a ${mib} MiB .tar.gz: RSS +${gi.toFixed(1)} MiB over its baseline (${(imp.seconds as number).toFixed(1)} s)`,
  )
  console.log(
    `store writeStream of ${mib} MiB (reference): RSS +${gr.toFixed(1)} MiB (${(ref.seconds as number).toFixed(1)} s)`,
  )
  console.log(
    `ratio import/reference: ${(gi / Math.max(gr, 1)).toFixed(2)}× (goal ≤ 2×; growth floors at 1 MiB)`,
  )
  if (!imp.digestOk) throw new Error('the import did not store the layer it was given')
} finally {
  rmSync(work, { recursive: true, force: true })
}
