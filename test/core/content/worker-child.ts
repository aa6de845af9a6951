// A second process for the multi-process tests, run as `node --import tsx worker-child.ts MODE DIR ...`.
//   lock DIR NS REF           open a writer, write 7 bytes, print "locked", then hold the lock until killed
//   abortee DIR NS REF        open a writer, write 7 bytes, print "locked", wait for a line on stdin, then
//                             write and commit and print {"write": kind, "commit": kind} ("ok" for success)
//   blobs DIR NS COUNT TAG    writeBlob COUNT deterministic blobs (content depends on TAG and index), print "done"
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { openDatabase } from '../../../src-main/core/db'
import { ContentStore, writeBlob } from '../../../src-main/core/content/store'

export function blobContent(tag: string, i: number): Buffer {
  const parts: Buffer[] = []
  const n = 1 + (i % 7)
  for (let k = 0; k < n * 64; k++) parts.push(createHash('sha256').update(`${tag}:${i}:${k}`).digest())
  return Buffer.concat(parts)
}

async function main(): Promise<void> {
  const [mode, dir, ns, ...rest] = process.argv.slice(2)
  const db = openDatabase(join(dir, 'berth.db'))
  const cs = new ContentStore(join(dir, 'content'), db)
  if (mode === 'lock') {
    const w = await cs.writer(ns, { ref: rest[0] })
    await w.write(Buffer.from('partial'))
    process.stdout.write(`locked ${process.pid}\n`)
    setInterval(() => {}, 1 << 30)
    return
  }
  if (mode === 'abortee') {
    const w = await cs.writer(ns, { ref: rest[0] })
    await w.write(Buffer.from('partial'))
    process.stdout.write(`locked ${process.pid}\n`)
    for await (const _ of process.stdin) break
    const outcome = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { kind?: string }) => e.kind ?? String(e),
      )
    const write = await outcome(w.write(Buffer.from(' and more')))
    const commit = await outcome(w.commit(0))
    await w.close()
    db.close()
    process.stdout.write(`${JSON.stringify({ write, commit })}\n`)
    return
  }
  if (mode === 'blobs') {
    const count = Number(rest[0])
    const tag = rest[1]
    for (let i = 0; i < count; i++) {
      const data = blobContent(tag, i)
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
      await writeBlob(
        cs,
        ns,
        `blob-${i}`,
        data,
        { mediaType: 'application/octet-stream', digest, size: data.length },
        {
          labels: { writer: `child-${tag}` },
          waitLocked: 30_000,
        },
      )
    }
    db.close()
    process.stdout.write('done\n')
    return
  }
  throw new Error(`unknown mode ${mode}`)
}

if (process.argv[1]?.endsWith('worker-child.ts')) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  })
}
