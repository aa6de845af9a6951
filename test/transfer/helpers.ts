// A fresh Berth store in a temp directory (real SQLite file, real blob files) for each test.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContentStore } from '../../src-main/core/content/store'
import { openDatabase, type Database } from '../../src-main/core/db'
import { ImageStore } from '../../src-main/core/images/store'
import { BerthError } from '../../src-main/core/errors'
import { gc } from '../../src-main/core/gc'
import { importArchive, type ImportOptions } from '../../src-main/core/transfer/import'
import { Parser } from 'tar'
import { expect } from 'vitest'
import { multiPlatformImage, ociArchive } from '../fixtures/images'

export interface TestStore {
  dir: string
  root: string
  db: Database
  content: ContentStore
  images: ImageStore
  file(name: string, data: Uint8Array): string
  /** Images and content records (with labels) of a namespace: "the store" as a test compares it. */
  snapshot(ns?: string): unknown
  close(): void
}

export function tempStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'berth-transfer-'))
  const root = join(dir, 'store')
  const db = openDatabase(join(dir, 'berth.db'))
  const content = new ContentStore(root, db)
  const images = new ImageStore(db)
  return {
    dir,
    root,
    db,
    content,
    images,
    file(name, data) {
      const p = join(dir, name)
      writeFileSync(p, data)
      return p
    },
    snapshot(ns = 'default') {
      return {
        images: db
          .prepare('SELECT name, target_digest FROM images WHERE namespace = ? ORDER BY name')
          .all(ns),
        content: db.prepare('SELECT digest, size FROM content WHERE namespace = ? ORDER BY digest').all(ns),
        labels: db
          .prepare('SELECT digest, key, value FROM content_labels WHERE namespace = ? ORDER BY digest, key')
          .all(ns),
        leases: db.prepare('SELECT id FROM leases WHERE namespace = ?').all(ns),
      }
    },
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Digests an archive's documents name (index.json, then every index and manifest it leads to) that the
 * archive does not hold: empty for a self-contained archive.
 */
export function namedButAbsent(files: Map<string, Buffer>): string[] {
  const absent: string[] = []
  const seen = new Set<string>()
  const blob = (d: string) => files.get(`blobs/${d.replace(':', '/')}`)
  const visit = (d: { digest: string; mediaType: string }) => {
    if (seen.has(d.digest)) return
    seen.add(d.digest)
    const data = blob(d.digest)
    if (!data) return void absent.push(d.digest)
    if (!/manifest|index/.test(d.mediaType) || /in-toto/.test(d.mediaType)) return
    const doc = JSON.parse(data.toString())
    for (const m of doc.manifests ?? []) visit(m)
    if (doc.config) visit(doc.config)
    for (const l of doc.layers ?? []) visit(l)
  }
  for (const m of JSON.parse(files.get('index.json')!.toString()).manifests) visit(m)
  return absent
}

/**
 * Imports `file` expecting a refusal of `kind` whose message matches `message`, then checks that the store
 * is exactly as it was: no image or content record, label or lease, no ingest, and after a GC the same
 * blob files. Returns the error.
 */
export async function expectRefused(
  s: TestStore,
  file: string,
  opts: ImportOptions,
  kind: BerthError['kind'],
  message: RegExp,
): Promise<BerthError> {
  const files = () => readdirSync(join(s.root, 'blobs', 'sha256')).sort()
  gc(s.db, { root: s.root })
  const before = s.snapshot()
  const blobs = files()
  const err = await importArchive(s, 'default', file, opts).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, 'the import must fail').toBeInstanceOf(BerthError)
  expect((err as BerthError).kind, (err as Error).message).toBe(kind)
  expect((err as BerthError).message).toMatch(message)
  expect(s.snapshot()).toEqual(before)
  gc(s.db, { root: s.root })
  expect(files()).toEqual(blobs)
  expect(readdirSync(join(s.root, 'ingest'))).toEqual([])
  return err as BerthError
}

/** A temp store already holding an image (all platforms), so "the store as it was" means something. */
export async function storeWithImage(): Promise<TestStore> {
  const s = tempStore()
  const fx = multiPlatformImage({
    name: 'docker.io/library/keep:1',
    platforms: ['linux/amd64', 'linux/arm64'],
  })
  await importArchive(s, 'default', s.file('keep.tar', ociArchive([fx])), { allPlatforms: true })
  gc(s.db, { root: s.root })
  return s
}

/** Every file entry of a tar file, by path. */
export function tarEntries(file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const p = new Parser({
    onReadEntry: (e) => {
      const parts: Buffer[] = []
      e.on('data', (c: Buffer) => parts.push(c))
      e.on('end', () => out.set(e.path, Buffer.concat(parts)))
    },
  })
  p.end(readFileSync(file))
  return out
}
