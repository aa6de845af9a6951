// Tar headers written with node-tar's own Header/Pax encoders, so exports and test fixtures produce
// archives every tar reader agrees on. Deterministic by construction: the caller passes every field
// that could vary (mtime, owner, mode), and the defaults are fixed values.
import { Header, Pax } from 'tar'

export type TarEntryType = 'File' | 'Directory' | 'SymbolicLink' | 'Link'

export interface TarHeaderSpec {
  path: string
  size?: number
  type?: TarEntryType
  mode?: number
  linkpath?: string
  mtime?: Date
  uid?: number
  gid?: number
  uname?: string
  gname?: string
}

export const EPOCH = new Date(0)
export const BLOCK = 512
/** Two zero blocks end a tar archive. */
export const TAR_END: Buffer = Buffer.alloc(BLOCK * 2)

export function tarHeader(spec: TarHeaderSpec): Buffer {
  const type = spec.type ?? 'File'
  const data = {
    path: spec.path,
    type,
    size: type === 'File' ? (spec.size ?? 0) : 0,
    mode: spec.mode ?? (type === 'Directory' ? 0o755 : 0o644),
    linkpath: spec.linkpath,
    mtime: spec.mtime ?? EPOCH,
    uid: spec.uid ?? 0,
    gid: spec.gid ?? 0,
    uname: spec.uname ?? '',
    gname: spec.gname ?? '',
  }
  const h = new Header(data)
  const block = Buffer.alloc(BLOCK)
  const needPax = h.encode(block, 0)
  if (!needPax) return block
  // Long names: a PAX extended header carries the full path; the ustar header keeps a truncated one.
  const pax = new Pax({
    path: data.path,
    linkpath: data.linkpath,
    size: data.size,
    mtime: data.mtime,
  }).encode()
  return Buffer.concat([pax, block])
}

/** Zero bytes that round an entry body up to the next 512-byte block. */
export function tarPadding(size: number): Buffer {
  const rem = size % BLOCK
  return rem === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rem)
}

export interface TarBufferEntry extends TarHeaderSpec {
  data?: Uint8Array
}

/** A whole archive in memory: for small archives (tests, JSON-only layouts). */
export function tarBuffer(entries: TarBufferEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    const data = e.data ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) : Buffer.alloc(0)
    const type = e.type ?? 'File'
    parts.push(tarHeader({ ...e, size: type === 'File' ? (e.size ?? data.length) : 0 }))
    if (type === 'File') {
      parts.push(data, tarPadding(data.length))
    }
  }
  if (opts.end !== false) parts.push(TAR_END)
  return Buffer.concat(parts)
}
