// Plays the CLI's utility process under plain Node: Electron would give it `process.parentPort`; here
// the same shape is made from the fork IPC channel, then the real runCliChild runs a test CLI.
import { join } from 'node:path'
import { runCliChild, type Port } from '../../../src-main/app/cli-stdin'

const wrapped = new Map<(e: { data: unknown }) => void, (m: unknown) => void>()
const port: Port = {
  postMessage: (m) => void process.send!(m),
  on(_event, fn) {
    const w = (m: unknown): void => fn({ data: m })
    wrapped.set(fn, w)
    process.on('message', w)
  },
  off(_event, fn) {
    const w = wrapped.get(fn)
    if (w) process.off('message', w)
    wrapped.delete(fn)
  },
}
runCliChild(port, join(__dirname, process.env.BERTH_TEST_CLI ?? 'hash-cli.cjs'))
