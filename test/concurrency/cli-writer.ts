// One of the CLI processes of the concurrent-writers test (and bench/writers.ts): for MS milliseconds it
// runs the real `berth` command line — the same run() a `berth …` process runs — against ROOT, over and
// over: label the shared image (cli-K=i), tag it under a new name, remove the name made three rounds
// earlier, and every fifth round remove the image ARCHIVE holds and import it again (its blobs, then
// unreferenced, must survive the app's GCs meanwhile). Prints one JSON line with what succeeded and every
// failure's message, so the parent can check that nothing failed and no update was lost.
//   node --import tsx cli-writer.ts ROOT K MS ARCHIVE
import { Writable } from 'node:stream'
import { run } from '../../src-main/cli/main'

export interface WriterLog {
  k: number
  /** The last value of the label cli-K that the CLI reported as set. */
  lastLabel: number
  created: string[]
  removed: string[]
  imports: number
  /** Whether the image ARCHIVE holds was there after this writer's last import or removal of it. */
  importedPresent: boolean
  commands: number
  failures: string[]
}

export const SHARED = 'docker.io/library/shared:1'
export const tagName = (who: string, i: number) => `docker.io/library/${who}:${i}`

async function main(): Promise<void> {
  const [root, kText, msText, archive] = process.argv.slice(2)
  const k = Number(kText)
  const deadline = Date.now() + Number(msText)
  const log: WriterLog = {
    k,
    lastLabel: 0,
    created: [],
    removed: [],
    imports: 0,
    importedPresent: false,
    commands: 0,
    failures: [],
  }
  let stderr = ''
  // Real streams: run() listens for EPIPE on stdout as a process's own stdout would raise it.
  const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream
  const errs = new Writable({
    write(chunk: Buffer, _e, cb) {
      stderr += chunk.toString('utf8')
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  const berth = async (...argv: string[]): Promise<boolean> => {
    stderr = ''
    log.commands++
    const code = await run(['--root', root, ...argv], { stdout: sink, stderr: errs })
    if (code !== 0) log.failures.push(`${argv.join(' ')}: exit ${code}: ${stderr.trim()}`)
    return code === 0
  }
  for (let i = 1; Date.now() < deadline; i++) {
    if (await berth('images', 'label', SHARED, `cli-${k}=${i}`)) log.lastLabel = i
    const name = tagName(`cli-${k}`, i)
    if (await berth('images', 'tag', SHARED, name)) log.created.push(name)
    if (i > 3 && (await berth('images', 'rm', tagName(`cli-${k}`, i - 3)))) {
      log.removed.push(tagName(`cli-${k}`, i - 3))
    }
    if (i % 5 !== 0) continue
    if (log.importedPresent && (await berth('images', 'rm', tagName(`imported-${k}`, 1)))) {
      log.importedPresent = false
    }
    if (await berth('images', 'import', archive, '--no-progress', '--all-platforms')) {
      log.imports++
      log.importedPresent = true
    }
  }
  process.stdout.write(`${JSON.stringify(log)}\n`)
}

if (process.argv[1]?.endsWith('cli-writer.ts')) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  })
}
