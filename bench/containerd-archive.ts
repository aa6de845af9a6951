// The archive bench/containerd imports into a daemon with one `ctr images import`: many images over 40
// shared base layer stacks (three layers each) plus one small layer of their own, every fifth a
// two-platform index, each named in index.json as containerd and OCI tools name images.
import { createHash } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { tarHeader, tarPadding, TAR_END } from '../src-main/core/transfer/tar-writer'

const BASES = 40

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

interface Desc {
  mediaType: string
  digest: string
  size: number
  platform?: { os: string; architecture: string }
  annotations?: Record<string, string>
}

/** An OCI archive naming `count` images, streamed to `file`. */
export function writeManyImages(file: string, count: number): void {
  const fd = openSync(file, 'w')
  const seen = new Set<string>()
  const put = (name: string, data: Buffer) => {
    writeSync(fd, tarHeader({ path: name, size: data.length, type: 'File' }))
    writeSync(fd, data)
    writeSync(fd, tarPadding(data.length))
  }
  const blob = (data: Buffer | string, mediaType: string): Desc => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const hex = createHash('sha256').update(bytes).digest('hex')
    if (!seen.has(hex)) {
      seen.add(hex)
      put(`blobs/sha256/${hex}`, bytes)
    }
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length }
  }
  const base: Desc[][] = []
  for (let b = 0; b < BASES; b++)
    base.push([0, 1, 2].map((l) => blob(gzipSync(Buffer.from(`base ${b} layer ${l} `.repeat(400))), LAYER)))
  const manifest = (i: number, arch: string): Desc => {
    const layers = [...base[i % BASES], blob(gzipSync(Buffer.from(`app ${i} ${arch} `.repeat(30))), LAYER)]
    const config = blob(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        config: { Cmd: ['/app'] },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      }),
      OCI_CONFIG,
    )
    return blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }), OCI_MANIFEST)
  }
  const entries: Desc[] = []
  for (let i = 0; i < count; i++) {
    const name = `registry.example.com/team-${i % 50}/service-${i}:v${i % 7}`
    let target: Desc
    if (i % 5 === 0) {
      const ms = ['amd64', 'arm64'].map((arch) => ({
        ...manifest(i, arch),
        platform: { os: 'linux', architecture: arch },
      }))
      target = blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: ms }), OCI_INDEX)
    } else target = manifest(i, 'amd64')
    entries.push({
      ...target,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': `v${i % 7}` },
    })
  }
  put('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'))
  put(
    'index.json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries })),
  )
  writeSync(fd, TAR_END)
  closeSync(fd)
}
