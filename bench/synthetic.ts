// A large store made fast for benchmarks: blobs written straight into the OCI layout and recorded in
// SQLite in one transaction, image records created through the image store. The point is what comes
// after (listing, the host's reads), not ingest (bench/ingest measures that).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { digestOf } from '../src-main/core/digest'
import {
  LABEL_GC_REF_CONTENT_CONFIG,
  LABEL_GC_REF_CONTENT_LAYER_PREFIX,
  LABEL_GC_REF_CONTENT_MANIFEST_PREFIX,
} from '../src-main/core/labels'
import type { Descriptor } from '../src-main/core/oci'
import type { Berth } from '../src-main/service/berth'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

export interface SyntheticOptions {
  ns: string
  /** Image records. */
  count: number
  /** Distinct targets (manifests or indexes) the records point at, in turn; one in four is multi-platform. */
  targets?: number
  /** Distinct base layer stacks, shared by many targets. */
  bases?: number
  /** How many images get labels (env, team), from the first. */
  labelled?: number
}

export interface SyntheticStore {
  names: string[]
  blobs: number
}

/** Image names as bench/list has always made them. */
export const syntheticName = (i: number): string => `registry.example.com/team-${i % 50}/app-${i % 997}:v${i}`

export function writeSyntheticStore(berth: Berth, opts: SyntheticOptions): SyntheticStore {
  const { ns, count } = opts
  const targets = Math.min(opts.targets ?? count, count)
  const labelled = opts.labelled ?? count
  const now = Date.now()
  const dir = join(berth.storeRoot, 'blobs', 'sha256')
  mkdirSync(dir, { recursive: true })
  const pending = new Map<string, number>()
  // The gc.ref labels an ingest leaves on a manifest or an index, so that GC keeps what images reach.
  const refs = new Map<string, Record<string, string>>()
  const blob = (data: string | Buffer, mediaType: string): Descriptor => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const digest = digestOf(bytes)
    const file = join(dir, digest.slice(7))
    if (!existsSync(file)) writeFileSync(file, bytes)
    pending.set(digest, bytes.length)
    return { mediaType, digest, size: bytes.length }
  }
  const manifest = (i: number, arch: string, base: Descriptor[]): Descriptor => {
    const unique = blob(`unique layer ${i}/${arch} `.repeat(20), LAYER)
    const config = blob(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        config: { Cmd: ['/app'] },
        rootfs: { type: 'layers', diff_ids: [...base, unique].map((l) => l.digest) },
      }),
      OCI_CONFIG,
    )
    const layers = [...base, unique]
    const m = blob(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }),
      OCI_MANIFEST,
    )
    refs.set(m.digest, {
      [LABEL_GC_REF_CONTENT_CONFIG]: config.digest,
      ...Object.fromEntries(layers.map((l, k) => [`${LABEL_GC_REF_CONTENT_LAYER_PREFIX}${k}`, l.digest])),
    })
    return m
  }
  const bases = Array.from({ length: opts.bases ?? 40 }, (_, b) => [
    blob(Buffer.alloc(2_000_000 + b, b), LAYER),
    blob(Buffer.alloc(300_000 + b, b + 100), LAYER),
  ])
  const made: Descriptor[] = []
  for (let i = 0; i < targets; i++) {
    const base = bases[i % bases.length]
    if (i % 4 === 0) {
      const amd = { ...manifest(i, 'amd64', base), platform: { os: 'linux', architecture: 'amd64' } }
      const arm = { ...manifest(i, 'arm64', base), platform: { os: 'linux', architecture: 'arm64' } }
      const index = blob(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [amd, arm] }),
        OCI_INDEX,
      )
      refs.set(index.digest, {
        [`${LABEL_GC_REF_CONTENT_MANIFEST_PREFIX}0`]: amd.digest,
        [`${LABEL_GC_REF_CONTENT_MANIFEST_PREFIX}1`]: arm.digest,
      })
      made.push(index)
    } else made.push(manifest(i, 'amd64', base))
  }
  const insert = berth.db.prepare(
    'INSERT OR IGNORE INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  )
  const label = berth.db.prepare(
    'INSERT OR IGNORE INTO content_labels (namespace, digest, key, value) VALUES (?, ?, ?, ?)',
  )
  berth.db.transaction(() => {
    berth.db.prepare('INSERT OR IGNORE INTO namespaces (name, created_at) VALUES (?, ?)').run(ns, now)
    for (const [d, s] of pending) insert.run(ns, d, s, now, now)
    for (const [d, labels] of refs) for (const [k, v] of Object.entries(labels)) label.run(ns, d, k, v)
  })()
  const names: string[] = []
  const records = Array.from(
    { length: count },
    (_, i): { name: string; labels: Record<string, string>; target: Descriptor } => {
      names.push(syntheticName(i))
      return {
        name: syntheticName(i),
        labels: i < labelled ? { env: ['prod', 'staging', 'dev'][i % 3], team: `team-${i % 50}` } : {},
        target: made[i % targets],
      }
    },
  )
  berth.images.createMany(ns, records)
  return { names, blobs: pending.size }
}
