// A running containerd through Berth, as users run both tools (whole processes, same daemon, same run):
//
// 1. 10,000 images in the daemon (one `ctr images import` of an archive naming them, over 40 shared base
//    layer stacks, every fifth image a two-platform index): `berth --address … images ls` (sizes,
//    platforms, labels) against `ctr images ls`. The first berth run fills its mirror and summaries; the
//    goal is the second: ≥ 20× faster than ctr.
// 2. A 300 MiB image (three layers of incompressible bytes) copied from Berth's store into containerd
//    (`berth --address … images send`) against `ctr images import --no-unpack --all-platforms` of the
//    same image exported to a file. Goal ≤ 1.0×. Both start from a daemon without the image's blobs.
//
// berth runs as users run it, the built out/main/cli.js (no TypeScript compiled at start), and for
// reference once through tsx from the TypeScript entry.
//   npx tsx bench/containerd.ts [images] [MiB] [rounds]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { singlePlatformImage, writeOCIArchive } from '../test/fixtures/images'
import { startDaemon, type Daemon } from '../test/containerd/daemon'
import { writeManyImages } from './containerd-archive'

const COUNT = Number(process.argv[2] ?? 10_000)
const MIB = Number(process.argv[3] ?? 300)
const ROUNDS = Number(process.argv[4] ?? 3)
const ROOT = resolve(__dirname, '..')
const work = resolve(__dirname, '.work', `containerd-${process.pid}`)
const NS = 'default'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`

interface Run {
  ms: number
  /** CPU seconds of the process (user + system), where GNU time can tell. */
  cpu: number | null
  stdout: string
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null

function run(cmd: string, args: string[]): Run {
  const [exe, argv] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', cmd, ...args]] : [cmd, args]
  const t = performance.now()
  const r = spawnSync(exe, argv, { encoding: 'utf8', maxBuffer: 512 << 20, cwd: ROOT })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(' ')}: ${r.stderr || r.stdout}`)
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr)
  return { ms, cpu: m ? Number(m[1]) + Number(m[2]) : null, stdout: r.stdout }
}

/** CPU seconds the daemon has used so far (Linux /proc); null elsewhere. */
function daemonCpu(d: Daemon): number | null {
  try {
    const f = readFileSync(`/proc/${d.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return null
  }
}

/** A run of `fn` with the CPU it cost the client and the daemon together. */
function measured(d: Daemon, fn: () => Run): Run & { total: number | null } {
  const before = daemonCpu(d)
  const r = fn()
  const after = daemonCpu(d)
  return { ...r, total: r.cpu !== null && before !== null && after !== null ? r.cpu + after - before : null }
}

/** The built CLI (out/main/cli.js, what `npm run berth` and the packaged app run), built when stale. */
function builtCli(): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'berth.mjs'), '--version'], {
    stdio: 'inherit',
    env: { ...process.env, npm_lifecycle_event: '' },
  })
  if (r.status !== 0) throw new Error('building the CLI failed')
  return join(ROOT, 'out', 'main', 'cli.js')
}

async function listing(d: Daemon, cli: string): Promise<void> {
  const archive = join(work, 'many.tar')
  writeManyImages(archive, COUNT)
  const imp = run('ctr', [
    '--address',
    d.address,
    '-n',
    NS,
    'images',
    'import',
    '--no-unpack',
    '--all-platforms',
    archive,
  ])
  console.log(`${COUNT} images imported with one ctr images import (${secs(imp.ms)})`)
  rmSync(archive)
  const root = join(work, 'root-list')
  const berthLs = () => run(process.execPath, [cli, '--root', root, '--address', d.address, 'images', 'ls'])
  const tsxLs = () =>
    run(process.execPath, [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      join(ROOT, 'src-main/cli/bin.ts'),
      '--root',
      root,
      '--address',
      d.address,
      'images',
      'ls',
    ])
  const ctrLs = () => run('ctr', ['--address', d.address, '-n', NS, 'images', 'ls'])
  const first = measured(d, berthLs)
  const berth: ReturnType<typeof measured>[] = []
  const ctr: ReturnType<typeof measured>[] = []
  for (let i = 0; i < ROUNDS; i++) {
    ctr.push(measured(d, ctrLs))
    berth.push(measured(d, berthLs))
  }
  const viaTsx = tsxLs()
  const rows = (r: Run) => r.stdout.trimEnd().split('\n').length - 1
  const bm = median(berth.map((r) => r.ms))
  const cm = median(ctr.map((r) => r.ms))
  console.log(`rows: berth ${rows(berth[0])}, ctr ${rows(ctr[0])}`)
  console.log(`ctr images ls:                      ${secs(cm)} (median of ${ROUNDS})`)
  console.log(`berth --address … images ls, first: ${secs(first.ms)} (mirror and summaries filled)`)
  console.log(
    `berth --address … images ls, again: ${secs(bm)}: ${(cm / bm).toFixed(1)}× faster than ctr (goal ≥ 20×)`,
  )
  const cpu = (rs: ReturnType<typeof measured>[]) =>
    rs.every((r) => r.total !== null) ? median(rs.map((r) => r.total!)) : null
  const [bc, cc] = [cpu(berth), cpu(ctr)]
  if (bc !== null && cc !== null)
    console.log(
      `  CPU, client and daemon together: berth ${bc.toFixed(2)} s, ctr ${cc.toFixed(2)} s: ${(cc / bc).toFixed(1)}× less` +
        ' (wall times on a shared machine follow its load; CPU seconds do not)',
    )
  console.log(`  (through tsx from the sources: ${secs(viaTsx.ms)}, ${(cm / viaTsx.ms).toFixed(1)}×)`)
}

async function copying(d: Daemon, cli: string): Promise<void> {
  const name = 'docker.io/library/bench:300m'
  const archive = join(work, 'big.tar')
  writeOCIArchive(archive, [
    {
      fixture: singlePlatformImage({
        layers: 3,
        layerSize: Math.floor((MIB << 20) / 3),
        compression: 'none',
        seed: 'cd-bench',
      }),
      name,
    },
  ])
  const root = join(work, 'root-copy')
  run(process.execPath, [cli, '--root', root, 'images', 'import', '--no-progress', archive])
  rmSync(archive)
  const exported = join(work, 'exported.tar')
  run(process.execPath, [cli, '--root', root, 'images', 'export', '--no-progress', exported, name])
  const ns = 'copybench'
  const clear = () => {
    const names = d.ctr('-n', ns, 'images', 'ls', '-q').trim()
    if (names) d.ctr('-n', ns, 'images', 'rm', '--sync', ...names.split('\n'))
  }
  const sendOnce = () =>
    run(process.execPath, [
      cli,
      '--root',
      root,
      '--address',
      d.address,
      'images',
      'send',
      '--no-progress',
      '--to-namespace',
      ns,
      name,
    ])
  const importOnce = () =>
    run('ctr', [
      '--address',
      d.address,
      '-n',
      ns,
      'images',
      'import',
      '--no-unpack',
      '--all-platforms',
      exported,
    ])
  const send: ReturnType<typeof measured>[] = []
  const ctr: ReturnType<typeof measured>[] = []
  for (let i = 0; i < ROUNDS; i++) {
    clear()
    send.push(measured(d, sendOnce))
    if (!/complete/.test(d.ctr('-n', ns, 'images', 'check', `name==${name}`)))
      throw new Error('sent image is not complete')
    clear()
    ctr.push(measured(d, importOnce))
  }
  clear()
  const b = median(send.map((r) => r.ms))
  const c = median(ctr.map((r) => r.ms))
  console.log(`copy ${MIB} MiB into containerd: berth images send ${secs(b)}, ctr images import ${secs(c)}`)
  console.log(`  ratio ${(b / c).toFixed(2)}× (goal ≤ 1.0×; medians of ${ROUNDS})`)
  if (send.every((r) => r.total !== null) && ctr.every((r) => r.total !== null))
    console.log(
      `  CPU, client and daemon together: berth ${median(send.map((r) => r.total!)).toFixed(2)} s, ` +
        `ctr ${median(ctr.map((r) => r.total!)).toFixed(2)} s`,
    )
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true })
  // On tmpfs where there is one: containerd fsyncs each metadata transaction, and 10,000 image records on a
  // shared disk would take the import, not the listing, to measure. Both tools use the same daemon.
  const d = await startDaemon(existsSync('/dev/shm') ? '/dev/shm' : '/tmp')
  if (!d) {
    console.log('bench/containerd: skipped (containerd not installed, not root, or it could not start)')
    return
  }
  try {
    const cli = builtCli()
    console.log(
      `bench/containerd: containerd ${d.ctr('version').match(/Server:\s+Version:\s+(\S+)/)?.[1] ?? '?'} at ${d.address}`,
    )
    await copying(d, cli)
    await listing(d, cli)
  } finally {
    await d.dispose()
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
