// The `berth` command line as users run it: whole processes of the built CLI (node out/main/cli.js, what
// `npm run berth` and the packaged app's launcher run), each against a reference measured in the same
// run. Prints medians and ratios; asserts nothing.
//   npm run bench -- cli            (or: npx tsx bench/cli.ts [images] [MiB] [rounds])
// - `berth --version` start-up, against `node -e 0`;
// - `berth images ls` and `ls -q` over 10,000 images (one manifest named 10,000 times), against a bare
//   SQLite SELECT of the names in a Node process (goals ≤ 8× and ≤ 5×); `ctr images ls` beside them
//   where containerd runs;
// - `berth images import` of a 300 MiB archive, against `sha256sum` of the file (goal ≤ 1.0×);
// - `berth pull` from a local docker-registry, against `skopeo copy` (goal ≤ 0.8×).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../test/fixtures/images'
import { startRegistry } from '../test/registry/support/registry'
import { seedRegistry } from '../test/registry/support/stores'
import { startContainerd } from '../test/transfer/containerd'
import { openBerth } from '../src-main/service/berth'

const REPO = resolve(__dirname, '..')
const CLI = join(REPO, 'out', 'main', 'cli.js')
const IMAGES = Number(process.argv[2] ?? 10_000)
const MIB = Number(process.argv[3] ?? 300)
const ROUNDS = Number(process.argv[4] ?? 5)
const work = resolve(__dirname, '.work', `cli-${process.pid}`)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`

function has(tool: string): boolean {
  return spawnSync('which', [tool]).status === 0
}

/** Runs a whole process and returns its wall time; fails loudly when it fails. */
function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const t = process.hrtime.bigint()
  const r: SpawnSyncReturns<Buffer> = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const elapsed = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(0, 2000)}`)
  return elapsed
}

/** Median of `rounds` runs of each, interleaved so a busy machine slows them alike. */
function race(rounds: number, runs: Record<string, () => number>): Record<string, number> {
  const t: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]))
  for (let i = 0; i < rounds; i++) for (const [k, f] of Object.entries(runs)) t[k].push(f())
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))
}

const berth = (root: string, ...args: string[]) => timed(process.execPath, [CLI, '--root', root, ...args])

function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'berth.mjs'), '--version'], {
    stdio: 'inherit',
    env: { ...process.env, npm_lifecycle_event: '' },
  })
  if (r.status !== 0) throw new Error('building the CLI failed')
}

function startup(): void {
  const r = race(ROUNDS * 2, {
    node: () => timed(process.execPath, ['-e', '0']),
    version: () => timed(process.execPath, [CLI, '--version']),
    help: () => timed(process.execPath, [CLI, 'images', 'ls', '--help']),
  })
  console.log(
    `start-up: berth --version ${ms(r.version)}, node -e 0 ${ms(r.node)}, ratio ${(r.version / r.node).toFixed(2)}×`,
  )
  console.log(`          berth images ls --help ${ms(r.help)}, ratio ${(r.help / r.node).toFixed(2)}×`)
}

async function listing(): Promise<void> {
  const fx = singlePlatformImage({ name: 'registry.example.com/bench/app:v0', seed: 'bench-cli' })
  const names = Array.from({ length: IMAGES }, (_, i) => `registry.example.com/bench/app:v${i}`)
  const one = join(work, 'one.tar')
  writeOCIArchive(one, [fx])
  // The store, made fast: the image imported once by the CLI, the other names written in one
  // transaction, then one list to bring the summaries up to date (timed apart from the steady state).
  const root = join(work, 'list-root')
  berth(root, 'images', 'import', '--no-progress', one)
  const b = openBerth({ root })
  try {
    const first = b.images.get('default', names[0])
    b.images.createMany(
      'default',
      names.slice(1).map((name) => ({ name, target: first.target, labels: {} })),
    )
  } finally {
    b.close()
  }
  const first = berth(root, 'images', 'ls')
  console.log(`${IMAGES} images on one manifest; first images ls (summaries built) ${ms(first)}`)
  const db = join(root, 'berth.db')
  const bare = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(db)}, { readonly: true });
let out = ''; for (const n of db.prepare("SELECT name FROM images WHERE namespace = 'default' ORDER BY name").pluck().iterate()) out += n + '\\n';
process.stdout.write(out)`
  const runs: Record<string, () => number> = {
    select: () => timed(process.execPath, ['-e', bare], { cwd: REPO }),
    ls: () => berth(root, 'images', 'ls'),
    q: () => berth(root, 'images', 'ls', '-q'),
  }
  if (has('sqlite3'))
    runs.sqlite3 = () =>
      timed('sqlite3', [db, "SELECT name FROM images WHERE namespace = 'default' ORDER BY name"])
  const r = race(ROUNDS, runs)
  console.log(`  bare SELECT of the names (node + better-sqlite3) ${ms(r.select)}`)
  if (r.sqlite3 !== undefined)
    console.log(`  bare SELECT of the names (sqlite3 CLI)             ${ms(r.sqlite3)}`)
  console.log(`  berth images ls    ${ms(r.ls)}  ratio ${(r.ls / r.select).toFixed(2)}× (goal ≤ 8×)`)
  console.log(`  berth images ls -q ${ms(r.q)}  ratio ${(r.q / r.select).toFixed(2)}× (goal ≤ 5×)`)
  const cd = await startContainerd()
  if (!cd) return console.log('  ctr: skipped (containerd not installed or could not start)')
  try {
    // containerd gets the same names from an archive whose index.json lists them all.
    const archive = join(work, `names-${IMAGES}.tar`)
    writeOCIArchive(
      archive,
      names.map((name) => ({ fixture: fx, name })),
    )
    const t = performance.now()
    cd.ctr('images', 'import', '--no-unpack', '--all-platforms', archive)
    console.log(`  ctr images import of the same archive ${ms(performance.now() - t)}`)
    const ctrArgs = ['--address', cd.address]
    const c = race(ROUNDS, {
      ls: () => timed('ctr', [...ctrArgs, 'images', 'ls']),
      q: () => timed('ctr', [...ctrArgs, 'images', 'ls', '-q']),
    })
    console.log(`  ctr images ls      ${ms(c.ls)}  (berth ${(r.ls / c.ls).toFixed(2)}× of it)`)
    console.log(`  ctr images ls -q   ${ms(c.q)}  (berth ${(r.q / c.q).toFixed(2)}× of it)`)
  } finally {
    await cd.stop()
  }
}

function fixture300(name: string, seed: string) {
  return multiPlatformImage({
    name,
    seed,
    platforms: ['linux/amd64'],
    layers: 3,
    layerSize: Math.floor((MIB << 20) / 3),
    compression: 'none',
  })
}

function importing(): void {
  const fx = fixture300('docker.io/library/bench:300m', 'bench-cli-import')
  const file = join(work, 'import.tar')
  writeOCIArchive(file, [fx])
  const size = statSync(file).size / (1 << 20)
  let round = 0
  const r = race(3, {
    sha256sum: () => timed('sha256sum', [file]),
    berth: () => {
      const root = join(work, `import-root-${round++}`)
      try {
        return berth(root, 'images', 'import', '--no-progress', '--all-platforms', file)
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    },
  })
  console.log(
    `import (${size.toFixed(0)} MiB): berth images import ${ms(r.berth)}, sha256sum ${ms(r.sha256sum)}, ratio ${(r.berth / r.sha256sum).toFixed(2)}× (goal ≤ 1.0×)`,
  )
}

async function pulling(): Promise<void> {
  if (!has('docker-registry') || !has('skopeo'))
    return console.log('pull: skipped (docker-registry or skopeo is not installed)')
  const fx = fixture300('bench/src:v1', 'bench-cli-pull')
  const reg = await startRegistry()
  try {
    await seedRegistry(reg.url, 'bench/src', 'v1', fx)
    const ref = `${reg.host}/bench/src:v1`
    let round = 0
    const r = race(3, {
      skopeo: () => {
        const dir = join(work, `skopeo-${round}`)
        try {
          return timed('skopeo', [
            '--insecure-policy',
            'copy',
            '--quiet',
            '--src-tls-verify=false',
            `docker://${ref}`,
            `oci:${dir}:v1`,
          ])
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
      berth: () => {
        const root = join(work, `pull-root-${round++}`)
        try {
          return berth(root, 'pull', '--no-progress', ref)
        } finally {
          rmSync(root, { recursive: true, force: true })
        }
      },
    })
    console.log(
      `pull (${MIB} MiB): berth pull ${ms(r.berth)}, skopeo copy ${ms(r.skopeo)}, ratio ${(r.berth / r.skopeo).toFixed(2)}× (goal ≤ 0.8×)`,
    )
  } finally {
    await reg.stop()
  }
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  try {
    ensureBuilt()
    console.log(`bench/cli: node ${process.version}, medians of ${ROUNDS} runs (3 for the 300 MiB ones)`)
    startup()
    await listing()
    importing()
    await pulling()
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
