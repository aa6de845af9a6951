// Vitest global setup: the CLI tests run the built CLI (out/main/cli.js), as users do. The launcher
// behind `npm run berth` builds it when it is missing or older than the sources; run it once here.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export default function setup(): void {
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'berth.mjs'), '--version'], {
    encoding: 'utf8',
    env: { ...process.env, npm_lifecycle_event: '' },
  })
  if (r.status !== 0) throw new Error(`building the CLI failed:\n${r.stdout}${r.stderr}`)
}
