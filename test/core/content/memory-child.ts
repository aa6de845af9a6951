// Measures how much a streamed write raises RSS: `node --import tsx memory-child.ts DIR MODE MIB`.
//   writer  MIB  write MIB mebibytes through Writer.write from one reused 1 MiB buffer
//   stream  MIB  pipe a Readable of fresh 1 MiB chunks through writeStream
// Prints one JSON line: {baseline, peak, digestOk, size}. The baseline is taken after the first
// 64 MiB, once buffers, the database and the JIT are warm.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { openDatabase } from '../../../src-main/core/db'
import { ContentStore } from '../../../src-main/core/content/store'

const MiB = 1 << 20

function fill(buf: Buffer, i: number): void {
  // Cheap, distinct content per chunk: the chunk index stamped every 4 KiB.
  for (let off = 0; off < buf.length; off += 4096) buf.writeUInt32LE(i, off)
}

async function main(): Promise<void> {
  const [dir, mode, mibText] = process.argv.slice(2)
  const total = Number(mibText)
  const db = openDatabase(join(dir, 'berth.db'))
  const cs = new ContentStore(join(dir, 'content'), db)
  const expected = createHash('sha256')
  let baseline = 0
  let peak = 0
  const sample = (i: number) => {
    const rss = process.memoryUsage.rss()
    if (i === 64) baseline = rss
    if (i >= 64) peak = Math.max(peak, rss)
  }
  let digest = ''
  if (mode === 'writer') {
    const buf = Buffer.alloc(MiB, 0x5a)
    const w = await cs.writer('mem', { ref: 'big', desc: { size: total * MiB } })
    for (let i = 0; i < total; i++) {
      fill(buf, i)
      expected.update(buf)
      await w.write(buf)
      sample(i)
    }
    digest = `sha256:${expected.digest('hex')}`
    await w.commit(total * MiB, digest)
    sample(total)
  } else {
    let i = 0
    const src = new Readable({
      highWaterMark: 2 * MiB,
      read() {
        if (i === total) return void this.push(null)
        const buf = Buffer.alloc(MiB, 0x5a)
        fill(buf, i)
        expected.update(buf)
        sample(i)
        i++
        this.push(buf)
      },
    })
    // The digest is only known at the end, so commit checks the size and we compare after.
    await cs.writeStream('mem', 'big', src, { mediaType: '', digest: '', size: total * MiB })
    sample(total)
    digest = `sha256:${expected.digest('hex')}`
  }
  const info = await cs.info('mem', digest)
  process.stdout.write(
    `${JSON.stringify({ baseline, peak, digestOk: info.digest === digest, size: info.size })}\n`,
  )
  db.close()
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
