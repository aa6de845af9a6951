// A throwaway containerd for the tests and benchmarks that drive a real daemon: Debian's containerd on
// its own temporary root, state directory and socket, from a generated config that keeps only what image
// management needs (no CRI, no snapshotters this kernel lacks, no ttrpc socket). It can be stopped and
// started again on the same root, as a daemon restarted under a client would be. undefined, with the
// reason printed, where containerd or ctr is missing or the process is not root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Daemon {
  address: string
  dir: string
  /** The running daemon's process id (undefined while stopped). */
  readonly pid: number | undefined
  /** ctr on this daemon; throws with ctr's stderr on a non-zero exit. */
  ctr(...args: string[]): string
  /** SIGTERM, and wait for the process to go (the socket is removed by containerd). */
  stop(): Promise<void>
  /** SIGKILL: the daemon dies mid-whatever, as a crash or a power cut would leave it. */
  kill(): Promise<void>
  /** Start again on the same root and state. */
  start(): Promise<void>
  /** Stop and delete everything. */
  dispose(): Promise<void>
}

const DISABLED = [
  'io.containerd.grpc.v1.cri',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
]

export function containerdMissing(): string | null {
  if (spawnSync('which', ['containerd']).status !== 0 || spawnSync('which', ['ctr']).status !== 0)
    return 'containerd and ctr are not installed (apt-get install containerd)'
  if (process.getuid && process.getuid() !== 0)
    return 'containerd needs root to run, and this test is not root'
  return null
}

export async function startDaemon(base = '/tmp'): Promise<Daemon | undefined> {
  const missing = containerdMissing()
  if (missing) {
    console.warn(`skipping tests with a real containerd: ${missing}`)
    return undefined
  }
  // Short: a unix socket path must stay under ~100 bytes.
  const dir = mkdtempSync(join(base, 'bcd-'))
  const address = join(dir, 'c.sock')
  const config = join(dir, 'config.toml')
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      `disabled_plugins = [${DISABLED.map((p) => JSON.stringify(p)).join(', ')}]`,
      '[grpc]',
      `  address = "${address}"`,
      '[ttrpc]',
      '  address = ""',
      '',
    ].join('\n'),
  )
  let proc: ChildProcess | null = null
  const ctr = (...args: string[]): string => {
    const r = spawnSync('ctr', ['--address', address, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr || r.stdout}`)
    return r.stdout
  }
  const exited = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => p.once('exit', () => r()))
  const halt = async (signal: NodeJS.Signals) => {
    if (!proc) return
    const p = proc
    proc = null
    p.kill(signal)
    await exited(p)
    // A killed daemon leaves its socket file behind; the next start replaces it.
  }
  const start = async () => {
    // A second daemon on the same root would outlive the test that lost track of the first.
    if (proc) throw new Error(`containerd on ${address} is already running (pid ${proc.pid})`)
    const log = openSync(join(dir, 'containerd.log'), 'a')
    const p = spawn('containerd', ['--config', config], { stdio: ['ignore', log, log] })
    proc = p
    for (let i = 0; i < 150; i++) {
      if (existsSync(address) && spawnSync('ctr', ['--address', address, 'version']).status === 0) return
      if (p.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const tail = readFileSync(join(dir, 'containerd.log'), 'utf8').split('\n').slice(-5).join('\n')
    await halt('SIGKILL')
    throw new Error(`containerd did not start on ${address}:\n${tail}`)
  }
  const d: Daemon = {
    address,
    dir,
    get pid() {
      return proc?.pid
    },
    ctr,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start,
    async dispose() {
      await halt('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
  // A test process that ends without dispose() (a crash, a timeout) takes its daemon with it.
  process.once('exit', () => proc?.kill('SIGKILL'))
  try {
    await start()
  } catch (e) {
    console.warn(`skipping tests with a real containerd: ${(e as Error).message}`)
    rmSync(dir, { recursive: true, force: true })
    return undefined
  }
  return d
}
