// `npm run berth -- …` in a checkout: runs the built CLI (out/main/cli.js), building it first when it is
// missing or older than the sources, so that a fresh clone's README commands just work. npm runs scripts
// from the package's folder; the user's own directory (npm's INIT_CWD) is made the working directory
// again, so relative paths mean what the user meant. Nothing here compiles TypeScript at run time.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(repo, 'out', 'main', 'cli.js')
const require = createRequire(import.meta.url)

/** The newest modification time of a file or of any file below a directory. */
function newest(path) {
  let st
  try {
    st = statSync(path)
  } catch {
    return 0
  }
  if (!st.isDirectory()) return st.mtimeMs
  let t = 0
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)))
  return t
}

function ensureBuilt() {
  const built = existsSync(cli) ? statSync(cli).mtimeMs : -1
  const inputs = ['src-main', 'src-preload', 'package.json', 'electron.vite.config.ts', 'tsconfig.json']
  const sources = Math.max(...inputs.map((p) => newest(join(repo, p))))
  if (built >= sources) return
  const vite = join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!existsSync(vite)) {
    process.stderr.write(
      `berth: ${cli} is ${built < 0 ? 'missing' : 'out of date'}: run npm ci, then npm run build\n`,
    )
    process.exit(1)
  }
  process.stderr.write(
    `berth: ${built < 0 ? 'building the CLI (out/main/cli.js is missing)' : 'rebuilding the CLI (the sources changed)'}…\n`,
  )
  const r = spawnSync(process.execPath, [vite, 'build'], { cwd: repo, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}berth: npm run build failed (above)\n`)
    process.exit(1)
  }
}

ensureBuilt()
if (process.env.npm_lifecycle_event === 'berth' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD)
require(cli)
