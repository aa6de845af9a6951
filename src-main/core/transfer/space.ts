// Free space, checked against what an archive declares before its bytes are written: a tar header states
// each entry's size, so an entry that cannot fit is refused up front (naming it and the numbers) instead
// of filling the disk and failing with ENOSPC half-way, or leaving the user's disk full.
import { statfsSync } from 'node:fs'
import { failedPrecondition } from '../errors'
import { quoteName } from '../quote'

/** Bytes an unprivileged writer may still use under `dir`; undefined when the system cannot tell. */
export type FreeSpace = (dir: string) => number | undefined

export const statfsFree: FreeSpace = (dir) => {
  try {
    const s = statfsSync(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    // Not every platform or file system answers statfs: the check then does nothing (the writes
    // themselves still fail cleanly on ENOSPC).
    return undefined
  }
}

/** Room kept for the database, ingest bookkeeping and everyone else on the disk. */
export const SPACE_SLACK = 16 << 20
/** Reserved bytes after which the free space is asked again (others write to the disk too). */
const RECHECK_AFTER = 256 << 20

export class SpaceGuard {
  private free: number | undefined
  private reserved = 0

  constructor(
    private readonly dir: string,
    private readonly query: FreeSpace = statfsFree,
  ) {
    this.free = query(dir)
  }

  /** Throws FailedPrecondition when `bytes` more would not fit; `what` names the entry. */
  reserve(bytes: number, what: string): void {
    if (this.free === undefined) return
    if (this.reserved + bytes + SPACE_SLACK > this.free || this.reserved > RECHECK_AFTER) {
      // What was reserved so far has been written by now: the file system's own count includes it.
      this.free = this.query(this.dir)
      this.reserved = 0
      if (this.free === undefined) return
    }
    if (bytes + this.reserved + SPACE_SLACK > this.free) {
      throw failedPrecondition(
        `not enough free space for archive entry ${quoteName(what)}: it declares ${bytes} bytes, and ${Math.max(0, this.free - this.reserved)} bytes are free under ${this.dir} (keeping ${SPACE_SLACK} in reserve)`,
      )
    }
    this.reserved += bytes
  }
}
