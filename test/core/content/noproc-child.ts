// Runs inside a mount namespace whose /proc is an empty tmpfs (lock.test.ts starts it with
// `unshare -m --fork`), the closest Linux gets to macOS and Windows for the ingest lock's liveness
// probe. Prints one JSON line: what a second writer, inspectLock and GC saw while a live process
// held the ingest, and what a writer saw after that process was killed.
//   node --import tsx noproc-child.ts DIR
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ContentStore } from '../../../src-main/core/content/store'
import { inspectLock } from '../../../src-main/core/content/lock'
import { openDatabase } from '../../../src-main/core/db'
import { gc } from '../../../src-main/core/gc'
import { spawn } from 'node:child_process'

const NS = 'noproc'
const REF = 'held-ref'

async function main(): Promise<void> {
  const dir = process.argv[2]
  const db = openDatabase(join(dir, 'berth.db'))
  const root = join(dir, 'content')
  const cs = new ContentStore(root, db)
  const out: Record<string, unknown> = { procMounted: existsSync('/proc/self/stat') }

  // helpers.ts imports vitest, which cannot load outside a test run: spawn and wait by hand.
  const holder = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/core/content/worker-child.ts', 'lock', dir, NS, REF],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const exited = new Promise((res) => holder.on('exit', res))
  await new Promise<void>((res, rej) => {
    let buf = ''
    holder.stdout.on('data', (b: Buffer) => {
      buf += b.toString()
      if (/^locked \d+/m.test(buf)) res()
    })
    holder.on('exit', () => rej(new Error(`the lock holder exited early: ${buf}`)))
  })

  try {
    const w = await cs.writer(NS, { ref: REF })
    out.secondWriter = `opened at offset ${(await w.status()).offset}`
    await w.close()
  } catch (e) {
    out.secondWriter = (e as { kind?: string }).kind ?? String(e)
  }
  const [ingest] = readdirSync(join(root, 'ingest'))
  out.heldWhileLive = inspectLock(join(root, 'ingest', ingest)).held
  // Two days on: the ingest (outside a lease, 24 h expiry) has expired, but a live writer holds it.
  gc(db, { root, now: () => new Date(Date.now() + 48 * 3600_000) })
  out.ingestsAfterGc = (await cs.listStatuses(NS)).map((s) => s.ref)

  holder.kill('SIGKILL')
  await exited
  const w = await cs.writer(NS, { ref: REF })
  out.afterKill = (await w.status()).offset
  await w.close()
  db.close()
  process.stdout.write(`${JSON.stringify(out)}\n`)
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
