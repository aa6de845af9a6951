// One command for the benchmarks: `npm run bench` runs them all, `npm run bench -- ingest images` some.
// Each prints its own ratios against a reference measured in the same run; nothing here asserts a time.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const ALL = [
  'ingest',
  'images',
  'import',
  'import-memory',
  'list',
  'pull',
  'writers',
  'cli',
  'reads',
  'scale',
  'files',
  'containerd',
  'args',
] as const
const asked = process.argv.slice(2)
const unknown = asked.filter((b) => !(ALL as readonly string[]).includes(b))
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}`)
  process.exit(2)
}
let failed = 0
for (const name of asked.length ? asked : ALL) {
  const file = join(__dirname, `${name}.ts`)
  if (!existsSync(file)) continue
  console.log(`\n=== bench/${name} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
