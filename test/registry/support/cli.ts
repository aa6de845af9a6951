// The `berth` command line for registry tests: in-process (fast, shares the test's loopback servers'
// event loop) or as a real process when stdin matters (login --password-stdin).
import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { run } from '../../../src-main/cli/main'
import { BUILT_CLI } from '../../cli/cli'

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let s = ''
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      s += chunk.toString('utf8')
      cb()
    },
  })
  return { stream: w as unknown as NodeJS.WriteStream, text: () => s }
}

export async function berth(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink()
  const err = sink()
  const code = await run(argv, { stdout: out.stream, stderr: err.stream })
  return { code, out: out.text(), err: err.text() }
}

/**
 * The real command as a process (the built CLI, as users run it), for stdin. Asynchronous, so servers in
 * this process keep answering.
 */
export function berthProcess(
  args: string[],
  input: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BUILT_CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    let out = ''
    let err = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    p.on('close', (code) => resolve({ code, out, err }))
    p.stdin.end(input)
  })
}
