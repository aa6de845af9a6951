// Imports a large .tar.gz streamed from memory and reports how memory behaved:
//   node --expose-gc --import tsx import-memory-child.ts DIR MIB
// The archive is an OCI layout whose one layer is MIB mebibytes: a random 1 MiB block repeated, each copy
// its own gzip member (a gzip file may be a series of members), so a multi-GiB archive costs one small
// compression, no disk and no time to build, and still inflates chunk by chunk like any other.
// Prints one JSON line: {baseline, peak, heapGrowth, digestOk}. RSS is sampled as the layer streams in;
// heapGrowth compares the heap after a full GC at 25% and at the end of the layer, while the import still
// runs (whatever a pass leaks per chunk is freed with the pass, so only then can it be seen).
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { ContentStore } from '../../src-main/core/content/store'
import { openDatabase } from '../../src-main/core/db'
import { ImageStore } from '../../src-main/core/images/store'
import { importArchive } from '../../src-main/core/transfer/import'
import { TAR_END, tarBuffer, tarHeader, tarPadding } from '../../src-main/core/transfer/tar-writer'
import { randomBytes } from '../fixtures/blobs'

const MiB = 1 << 20
const gc = (globalThis as { gc?: () => void }).gc

async function main(): Promise<void> {
  const [dir, mibText] = process.argv.slice(2)
  const mib = Number(mibText)
  if (!gc) throw new Error('run with --expose-gc')
  const block = randomBytes('import-memory', MiB)
  const layerHash = createHash('sha256')
  for (let i = 0; i < mib; i++) layerHash.update(block)
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${layerHash.digest('hex')}`,
    size: mib * MiB,
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  )
  const configDesc = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: sha(config),
    size: config.length,
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: configDesc,
      layers: [layer],
    }),
  )
  const manifestDesc = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha(manifest),
    size: manifest.length,
    annotations: {
      'io.containerd.image.name': 'docker.io/library/big:1',
      'org.opencontainers.image.ref.name': '1',
    },
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [manifestDesc] }))
  const head = gzipSync(
    Buffer.concat([
      tarBuffer(
        [
          { path: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
          { path: 'index.json', data: index },
          { path: `blobs/sha256/${manifestDesc.digest.slice(7)}`, data: manifest },
          { path: `blobs/sha256/${configDesc.digest.slice(7)}`, data: config },
        ],
        { end: false },
      ),
      tarHeader({ path: `blobs/sha256/${layer.digest.slice(7)}`, size: layer.size }),
    ]),
  )
  const member = gzipSync(block, { level: 1 })
  const tail = gzipSync(Buffer.concat([tarPadding(layer.size), TAR_END]))

  let baseline = 0
  let peak = 0
  let heapAtQuarter = 0
  let heapAtEnd = 0
  const source = Readable.from(
    (function* () {
      yield head
      for (let sent = 0; sent < mib; sent++) {
        if (sent === Math.floor(mib / 4)) {
          gc!()
          heapAtQuarter = process.memoryUsage().heapUsed
          baseline = process.memoryUsage.rss()
        }
        if (sent >= mib / 4) peak = Math.max(peak, process.memoryUsage.rss())
        yield member
      }
      gc!()
      heapAtEnd = process.memoryUsage().heapUsed
      yield tail
    })(),
    { objectMode: false },
  )
  const db = openDatabase(join(dir, 'berth.db'))
  const s = { db, content: new ContentStore(join(dir, 'store'), db), images: new ImageStore(db) }
  const r = await importArchive(s, 'default', 'stdin', { stream: source, allPlatforms: true })
  const heapGrowth = heapAtEnd - heapAtQuarter
  const info = await s.content.info('default', layer.digest)
  const digestOk = info.size === layer.size && r.images.length === 1
  process.stdout.write(`${JSON.stringify({ baseline, peak, heapGrowth, digestOk })}\n`)
  db.close()
}

function sha(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
