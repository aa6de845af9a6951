// `<app binary> --berth-cli ARGS…`: main starts the CLI in a utility process, feeds it stdin (which
// Electron does not give utility processes) a chunk per read, and exits with the CLI's exit code.
// Here the utility process is a Node child running the real child side (runCliChild) with a test CLI.
import { fork } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { UtilityProcess } from 'electron'
import { cliArgs, runCli } from '../../src-main/app/cli-launch'

const HARNESS = join(__dirname, 'support/cli-child-harness.ts')

function launch(cli: string, stdin: NodeJS.ReadStream, args: string[]) {
  let out = ''
  const exited = new Promise<number>((resolve) => {
    void runCli('cli-child.js', args, {
      app: { whenReady: async () => {}, exit: (code?: number) => resolve(code ?? 0) },
      fork: (entry, a) => {
        expect(entry).toBe('cli-child.js')
        const child = fork(HARNESS, a, {
          serialization: 'advanced',
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, BERTH_TEST_CLI: cli },
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        })
        child.stdout!.on('data', (c: Buffer) => (out += c))
        const up = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => child.send(m as never) })
        child.on('message', (m) => up.emit('message', m))
        // Electron's 'exit' comes after the process is gone; Node's 'close' after its output is read.
        child.on('close', (code) => up.emit('exit', code))
        return up as unknown as UtilityProcess
      },
      stdin,
    })
  })
  return exited.then((code) => ({ code, out: JSON.parse(out) as Record<string, unknown> }))
}

describe('--berth-cli', () => {
  it('takes the arguments after the flag, wherever Electron put the flag', () => {
    expect(cliArgs(['/opt/Berth/berth', '--berth-cli', 'images', 'ls', '-q'])).toEqual(['images', 'ls', '-q'])
    expect(cliArgs(['electron', '.', '--berth-cli'])).toEqual([])
    expect(cliArgs(['/opt/Berth/berth', '--no-sandbox'])).toBeNull()
  })

  it('pipes stdin through to the CLI intact and exits with its exit code', async () => {
    const data = randomBytes(5 << 20)
    const stdin = Readable.from([
      data.subarray(0, 1 << 20),
      data.subarray(1 << 20),
    ]) as unknown as NodeJS.ReadStream
    const r = await launch('hash-cli.cjs', stdin, ['images', 'import', '-'])
    expect(r.code).toBe(3)
    expect(r.out).toEqual({
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.length,
      args: ['images', 'import', '-'],
    })
  }, 30_000)

  it('gives a CLI started from a terminal an empty stdin rather than the terminal', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.ReadStream
    const r = await launch('hash-cli.cjs', tty, ['login', 'x'])
    expect(r).toMatchObject({ code: 3, out: { bytes: 0, args: ['login', 'x'] } })
  }, 30_000)

  it("a CLI that never reads stdin exits, though main's stdin never ends", async () => {
    const open = new PassThrough() as unknown as NodeJS.ReadStream
    const r = await launch('quiet-cli.cjs', open, ['images', 'ls'])
    expect(r).toEqual({ code: 0, out: { args: ['images', 'ls'] } })
  }, 30_000)
})
