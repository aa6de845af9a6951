// A throwaway containerd (temp root, state and socket) for interop tests and benchmarks; undefined,
// with the reason printed, where it is not installed or cannot start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Containerd {
  address: string
  ctr(...args: string[]): string
  stop(): Promise<void>
}

export async function startContainerd(): Promise<Containerd | undefined> {
  if (spawnSync('which', ['containerd']).status !== 0 || spawnSync('which', ['ctr']).status !== 0) {
    console.warn('skipping containerd interop: containerd/ctr not installed (apt-get install containerd)')
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-containerd-'))
  const address = join(dir, 'c.sock')
  writeFileSync(
    join(dir, 'config.toml'),
    [
      `version = 2`,
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      `[grpc]`,
      `  address = "${address}"`,
      `[ttrpc]`,
      `  address = "${address}.ttrpc"`,
      '',
    ].join('\n'),
  )
  const proc: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: 'ignore' })
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const ctr = (...args: string[]): string => {
    const r = spawnSync('ctr', ['--address', address, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr || r.stdout}`)
    return r.stdout
  }
  for (let i = 0; i < 100; i++) {
    if (existsSync(address) && spawnSync('ctr', ['--address', address, 'version']).status === 0)
      return { address, ctr, stop }
    if (proc.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  console.warn('skipping containerd interop: containerd did not start (it may need root)')
  await stop()
  return undefined
}
