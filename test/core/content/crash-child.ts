// The victim of the crash test: `node --import tsx crash-child.ts DIR SEED` writes and commits blobs
// in a loop until it is SIGKILLed. Each ref names the content it is writing (`r-<seed>-<size>`), so
// the parent can check a leftover ingest is a prefix of it and finish it.
import { join } from 'node:path'
import { openDatabase } from '../../../src-main/core/db'
import { ContentStore } from '../../../src-main/core/content/store'

export const CRASH_NS = 'crash'
export const CRASH_NS2 = 'crash-other'

/** Deterministic bytes for (seed, size): xorshift32, fast enough for megabytes per call. */
export function crashContent(seed: number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4))
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    words[i] = x
  }
  return Buffer.from(words.buffer, 0, size)
}

export function crashSize(seed: number): number {
  return 1 + ((seed * 7919) % (768 << 10))
}

export function crashRef(seed: number, size: number): string {
  return `r-${seed}-${size}`
}

export function parseCrashRef(ref: string): { seed: number; size: number } | undefined {
  const m = /^r-(\d+)-(\d+)$/.exec(ref)
  return m ? { seed: Number(m[1]), size: Number(m[2]) } : undefined
}

async function main(): Promise<void> {
  const [dir, seedText] = process.argv.slice(2)
  const db = openDatabase(join(dir, 'berth.db'))
  const cs = new ContentStore(join(dir, 'content'), db)
  let seed = Number(seedText) * 1000
  process.stdout.write('ready\n')
  for (;;) {
    seed++
    const size = crashSize(seed)
    const data = crashContent(seed, size)
    const ns = seed % 5 === 0 ? CRASH_NS2 : CRASH_NS
    const w = await cs.writer(ns, { ref: crashRef(seed, size), desc: { size } })
    const chunk = 32 << 10
    for (let off = (await w.status()).offset; off < size; off += chunk)
      await w.write(data.subarray(off, off + chunk))
    await w.commit(size, undefined, { labels: { seed: String(seed) } })
    // Now and then: share a blob into the other namespace, and delete a record.
    if (seed % 3 === 0) {
      const other = ns === CRASH_NS ? CRASH_NS2 : CRASH_NS
      try {
        const d = w.digest()
        const sw = await cs.writer(other, { ref: `share-${seed}`, desc: { digest: d, size } })
        await sw.commit(size, d)
      } catch (e) {
        if ((e as { kind?: string }).kind !== 'already-exists') throw e
      }
    }
    if (seed % 7 === 0) await cs.delete(ns, w.digest())
  }
}

if (process.argv[1]?.endsWith('crash-child.ts')) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  })
}
