// The content store's public shapes (core-api.md); store.ts re-exports them.
import type { Digest } from '../oci'
import type { ProcessProbe } from './process-probe'

export interface Info {
  digest: Digest
  size: number
  createdAt: Date
  updatedAt: Date
  labels: Record<string, string>
}

export interface Status {
  ref: string
  offset: number
  total: number
  startedAt: Date
  updatedAt: Date
}

export interface CommitOptions {
  labels?: Record<string, string>
}

export interface Writer {
  /** Appends data; resolves to the number of bytes written (all of them, or it rejects). */
  write(data: Uint8Array): Promise<number>
  /** Size 0 skips the size check; a non-empty expected digest must match. Always releases the ref. */
  commit(size: number, expected?: Digest, opts?: CommitOptions): Promise<void>
  /** Releases the ref and keeps the ingest for a later writer to resume (unless it was aborted). */
  close(): Promise<void>
  status(): Promise<Status>
  /** The digest of the bytes written so far. */
  digest(): Digest
  /** Only 0: restarts the ingest. */
  truncate(size: number): Promise<void>
}

export interface WriterOptions {
  ref: string
  desc?: { size?: number; digest?: Digest }
  /** Attach the ingest, and the blob once committed, to this lease (leases.ts). */
  lease?: string
}

export interface StoreOptions {
  now?: () => Date
  /**
   * containerd's content sharing policy. 'shared' (the default): a blob any namespace committed is
   * reused by a writer in another namespace without rewriting it. 'isolated': only blobs held by a
   * namespace labelled containerd.io/namespace.shareable=true are reused.
   */
  policy?: 'shared' | 'isolated'
  /** How ingest locks tell a live owner from a dead one (tests inject one); default: this OS's. */
  probe?: ProcessProbe
  /**
   * Makes a rename in a directory durable (open + fsync + close). Tests inject the refusals other
   * OSes give; default: layout.ts's fsyncDir.
   */
  dirSync?: (dir: string) => void
}
