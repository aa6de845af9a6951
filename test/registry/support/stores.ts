// A Berth store in a temp directory (real SQLite file, real blob layout), and ways to put a fixture
// image into it or, by plain HTTP with no Berth code involved, into a registry.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ContentStore, writeBlob } from '../../../src-main/core/content/store'
import { openDatabase, type Database } from '../../../src-main/core/db'
import { ImageStore } from '../../../src-main/core/images/store'
import { isIndexType, isManifestType } from '../../../src-main/core/images/handlers'
import type { Descriptor } from '../../../src-main/core/oci'
import type { ImageFixture } from '../../fixtures/images'
import { tempDir } from './registry'

export interface Stores {
  dir: string
  db: Database
  cs: ContentStore
  images: ImageStore
  ns: string
  close(): void
}

export function openStores(): Stores {
  const t = tempDir('berth-store-')
  const db = openDatabase(join(t.dir, 'berth.db'))
  const cs = new ContentStore(join(t.dir, 'store'), db)
  const images = new ImageStore(db)
  return {
    dir: t.dir,
    db,
    cs,
    images,
    ns: 'default',
    close: () => {
      db.close()
      t.remove()
    },
  }
}

function mediaTypeOf(data: Uint8Array): string | undefined {
  try {
    const j = JSON.parse(Buffer.from(data).toString('utf8')) as { mediaType?: string }
    return j.mediaType
  } catch {
    return undefined
  }
}

/** Writes every blob of the fixture and an image record `name` pointing at its target. */
export async function loadFixture(
  s: Pick<Stores, 'cs' | 'images' | 'ns'>,
  fx: ImageFixture,
  name: string,
): Promise<void> {
  for (const [digest, data] of fx.blobs) {
    const desc: Descriptor = {
      mediaType: mediaTypeOf(data) ?? 'application/octet-stream',
      digest,
      size: data.length,
    }
    await writeBlob(s.cs, s.ns, `load-${digest}`, data, desc)
  }
  // gc.ref labels are what a real pull or import would leave; pushes must not depend on them.
  s.images.create(s.ns, { name, labels: {}, target: fx.target })
}

/** Reads a blob straight from the layout on disk. */
export function blobBytes(s: Stores, digest: string): Buffer {
  return readFileSync(join(s.dir, 'store', 'blobs', ...digest.split(':')))
}

/** Pushes the fixture to a registry without auth, with plain fetch: the registry side of pull tests. */
export async function seedRegistry(
  baseUrl: string,
  repo: string,
  tag: string,
  fx: ImageFixture,
): Promise<void> {
  const docs: { desc: Descriptor; data: Uint8Array }[] = []
  for (const [digest, data] of fx.blobs) {
    const mt = mediaTypeOf(data)
    if (mt && (isManifestType(mt) || isIndexType(mt))) {
      docs.push({ desc: { mediaType: mt, digest, size: data.length }, data })
      continue
    }
    const start = await fetch(`${baseUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    if (start.status !== 202) throw new Error(`seeding ${repo}: POST upload ${start.status}`)
    const loc = new URL(start.headers.get('location') ?? '', baseUrl)
    loc.searchParams.set('digest', digest)
    const put = await fetch(loc, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(data),
    })
    if (put.status !== 201) throw new Error(`seeding ${repo}: PUT blob ${put.status} ${await put.text()}`)
  }
  // Manifests before the indexes that list them; the target last, by tag.
  const order = (d: Descriptor): number =>
    d.digest === fx.target.digest
      ? 3
      : isIndexType(d.mediaType)
        ? 2 - fx.indexes.findIndex((x) => x.digest === d.digest) / 100
        : 1
  docs.sort((a, b) => order(a.desc) - order(b.desc))
  for (const d of docs) {
    const sel = d.desc.digest === fx.target.digest ? tag : d.desc.digest
    const put = await fetch(`${baseUrl}/v2/${repo}/manifests/${sel}`, {
      method: 'PUT',
      headers: { 'Content-Type': d.desc.mediaType },
      body: Buffer.from(d.data),
    })
    if (put.status !== 201) throw new Error(`seeding ${repo}: PUT manifest ${put.status} ${await put.text()}`)
  }
}
