// A real content store (temp directory + SQLite file) loaded with a MemProvider's generated blobs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContentStore, writeBlob } from '../../../../src-main/core/content/store'
import { openDatabase, type Database } from '../../../../src-main/core/db'
import type { MemProvider } from './fixtures'

export interface RealStore {
  cs: ContentStore
  db: Database
  cleanup(): void
}

export function realStore(): RealStore {
  const dir = mkdtempSync(join(tmpdir(), 'berth-walker-'))
  const db = openDatabase(join(dir, 'berth.db'))
  const cs = new ContentStore(join(dir, 'content'), db)
  return {
    cs,
    db,
    cleanup() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Copies every blob of `p` into namespace `ns`. */
export async function load(cs: ContentStore, ns: string, p: MemProvider): Promise<void> {
  for (const [digest, data] of p.blobs) {
    await writeBlob(cs, ns, `load-${digest}`, data, {
      mediaType: 'application/octet-stream',
      digest,
      size: data.length,
    })
  }
}
