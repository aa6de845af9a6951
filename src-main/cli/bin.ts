// The `berth` executable, built to out/main/cli.js: `npm run berth` and the packaged app's launcher run
// this file. Paths on the command line are relative to the process's working directory, as for any CLI.
import * as nodeModule from 'node:module'

/** Waits until what was written to `s` has left the process. */
function flushed(s: NodeJS.WriteStream): Promise<void> {
  return s.writableLength === 0 || s.destroyed ? Promise.resolve() : new Promise((r) => s.once('drain', r))
}

async function main(): Promise<void> {
  // Node's on-disk code cache (Node ≥ 22.1): later starts skip compiling the bundle.
  ;(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.()
  let code: number
  try {
    const { run } = await import('./main')
    code = await run(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`berth: ${(e as Error).message}\n`)
    code = 1
  }
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  // Exit now: an input still open (the stdin of an interrupted import) must not keep the process alive.
  process.exit(code)
}

void main()
