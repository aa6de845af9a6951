// One scratch file per import holding the archive's small entries until the walk says which of them an
// image reaches. Committing every entry as it streams past costs an fsync each (a junk archive of
// 100,000 tiny entries then runs for many minutes) and keeps blobs nothing references; appending to one
// file that is never synced, then committing only what the walk visits, costs neither. The file lives in
// the store's ingest directory (same file system as the blobs, so the free-space check covers it) and is
// removed when the import ends; a crash leaves it for the next import to sweep.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Database } from '../db'

/** Entries up to this size are spooled; larger ones (layers) stream straight into the content store. */
export const SPOOL_MAX_ENTRY = 1 << 20

export interface Spooled {
  offset: number
  size: number
}

const NAME = /^import-(.+)\.spool$/

export function spoolPath(ingestDir: string, lease: string): string {
  return join(ingestDir, `import-${lease}.spool`)
}

export class Spool {
  private fh: FileHandle | undefined
  private end = 0

  constructor(readonly path: string) {}

  /** Appends one entry's bytes, each chunk passed to `onChunk` first (hashing); returns where it went. */
  async append(body: AsyncIterable<Uint8Array>, onChunk: (c: Uint8Array) => void): Promise<Spooled> {
    this.fh ??= await open(this.path, 'w+')
    const offset = this.end
    for await (const c of body) {
      onChunk(c)
      let done = 0
      while (done < c.length) {
        const { bytesWritten } = await this.fh.write(c, done, c.length - done, this.end)
        done += bytesWritten
        this.end += bytesWritten
      }
    }
    return { offset, size: this.end - offset }
  }

  async read(at: Spooled): Promise<Buffer> {
    const buf = Buffer.alloc(at.size)
    let done = 0
    while (done < at.size) {
      const { bytesRead } = await this.fh!.read(buf, done, at.size - done, at.offset + done)
      if (bytesRead === 0) throw new Error(`import spool ${this.path} ends early`)
      done += bytesRead
    }
    return buf
  }

  /** Closes and removes the file (closed first: Windows cannot remove an open file). */
  async dispose(): Promise<void> {
    const fh = this.fh
    this.fh = undefined
    await fh?.close().catch(() => undefined)
    rmSync(this.path, { force: true })
  }
}

/**
 * Removes spool files of imports that ended without removing theirs (the process died): their lease is
 * gone from the database. Young files are left alone, as a new import's lease may not be visible yet.
 */
export function sweepSpools(ingestDir: string, db: Database, now: number = Date.now()): void {
  let names: string[]
  try {
    names = readdirSync(ingestDir)
  } catch {
    return
  }
  const live = db.prepare('SELECT 1 FROM leases WHERE id = ? LIMIT 1').pluck()
  for (const name of names) {
    const m = NAME.exec(name)
    if (!m || live.get(m[1]) !== undefined) continue
    const path = join(ingestDir, name)
    try {
      if (now - statSync(path).mtimeMs < 60_000) continue
      rmSync(path, { force: true })
    } catch {
      // Gone already, or held open by a live import on Windows: either way not ours to remove.
    }
  }
}
