// The README's commands on a fresh machine whose Node is older than the project needs: a clean clone,
// the machine's old Node and npm first on PATH, then `. scripts/node.sh`. Afterwards a new enough Node
// and npm must be first on PATH, fetched into the clone's own .cache/, and `npm ci` must get past its
// engine check (engine-strict), which it refuses with the old Node. scripts\node.cmd, its Windows twin,
// runs in the Windows job of .github/workflows/ci.yml; here both are checked against package.json.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
const NODE_MIN = pkg.engines.node.replace(/^>=\s*/, '')
const NPM_MIN = '11.16.0'

const num = (v: string) => v.replace(/^v/, '').split('.').map(Number)
const older = (a: string, b: string) => {
  const [x, y] = [num(a), num(b)]
  return (x[0] - y[0] || x[1] - y[1] || x[2] - y[2]) < 0
}

it('both bootstraps require what package.json requires; README and .ci/run name only files of the repository', () => {
  const sh = readFileSync(join(ROOT, 'scripts', 'node.sh'), 'utf8')
  const cmd = readFileSync(join(ROOT, 'scripts', 'node.cmd'), 'utf8')
  expect(sh).toContain(`BERTH_NODE_MIN=${NODE_MIN} `)
  expect(cmd).toContain(`set "BERTH_NODE_MIN=${NODE_MIN}"`)
  expect(sh).toContain(`BERTH_NPM_MIN=${NPM_MIN}`)
  expect(cmd).toContain(`set "BERTH_NPM_MIN=${NPM_MIN}"`)
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  expect(readme).toContain('. scripts/node.sh && npm ci && npm start')
  expect(readme).toContain('. scripts/node.sh && npm ci && npm test')
  expect(readme).toContain('scripts\\node.cmd npm ci && scripts\\node.cmd npm test')
  for (const text of [readme, readFileSync(join(ROOT, '.ci', 'run'), 'utf8')]) {
    expect(text).not.toMatch(/\.\.\/shared|ensure-node/)
  }
})

/** A Node older than the project needs, installed on this machine outside the repository, if any. */
function oldNode(): { dir: string; version: string } | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/bin',
    '/usr/local/bin',
    '/opt/homebrew/bin',
  ]
  for (const dir of dirs) {
    const node = join(dir, 'node')
    if (!dir || !existsSync(node)) continue
    const r = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' })
    const version = r.stdout?.trim()
    if (r.status === 0 && version && older(version, NODE_MIN) && existsSync(join(dir, 'npm')))
      return { dir, version }
  }
  return undefined
}

/** This environment minus what npm and the test runner put in it, as a fresh login shell would have it. */
function freshEnv(path: string): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cafile|ca|https?_proxy|proxy|noproxy|strict_ssl)$/i
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|VITEST|TINYPOOL|PATH$)/i.test(k) && !keep.test(k)) continue
    env[k] = v
  }
  return { ...env, PATH: path }
}

describe('a clean clone on a machine with an old Node', () => {
  const old = process.platform === 'win32' ? undefined : oldNode()
  const git = spawnSync('git', ['--version']).status === 0
  const reason =
    process.platform === 'win32'
      ? 'POSIX shells only (the Windows CI job runs scripts\\node.cmd)'
      : !git
        ? 'git is not installed'
        : !old
          ? `no Node older than ${NODE_MIN} with its npm on this machine to start from`
          : undefined
  if (reason) console.log(`skipping the bootstrap test: ${reason}`)
  const dir = mkdtempSync(join(tmpdir(), 'berth-clone-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // About 20 s: unpacking the Node package (≈100 MB) is most of it, and it is what is under test.
  it.skipIf(reason !== undefined)(
    '. scripts/node.sh puts Node and npm new enough first on PATH, from the clone, and npm ci accepts it',
    () => {
      const clone = join(dir, 'berth')
      execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${ROOT}`, clone])
      // The bootstrap as it is in this working tree, edits included; the rest as committed.
      cpSync(join(ROOT, 'scripts'), join(clone, 'scripts'), { recursive: true })
      const env = freshEnv([old!.dir, '/usr/bin', '/bin'].join(delimiter))
      const before = spawnSync('sh', ['-c', 'node -v && npm ci --dry-run --ignore-scripts'], {
        cwd: clone,
        env,
        encoding: 'utf8',
      })
      expect(before.stderr, 'the old Node is refused by engine-strict').toMatch(/notsup|EBADENGINE/)

      const r = spawnSync(
        'sh',
        [
          '-c',
          '. scripts/node.sh && node -p process.versions.node && command -v node && npm -v && command -v npm ' +
            '&& npm ci --dry-run --ignore-scripts >/dev/null',
        ],
        { cwd: clone, env, encoding: 'utf8', timeout: 240_000 },
      )
      expect(r.status, r.stderr).toBe(0)
      const [node, nodePath, npm, npmPath] = r.stdout.trim().split('\n')
      expect(older(node, NODE_MIN), `node ${node}`).toBe(false)
      expect(nodePath.startsWith(join(clone, '.cache', 'node'))).toBe(true)
      expect(older(npm, NPM_MIN), `npm ${npm}`).toBe(false)
      expect(existsSync(dirname(npmPath))).toBe(true)
      // A second source finds what the first fetched, and fetches nothing.
      const again = spawnSync('sh', ['-c', '. scripts/node.sh && node -v'], {
        cwd: clone,
        env,
        encoding: 'utf8',
      })
      expect(again.status).toBe(0)
      expect(again.stderr).not.toMatch(/fetching/)
    },
    300_000,
  )
})
