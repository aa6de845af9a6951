// One entry of a layer tar as the file index keeps it: the path cleaned the way an unpacker resolves it,
// the type, the metadata that `ls -l` shows, and — for OCI whiteouts — what the entry removes.
export type FileType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char'
  | 'block'
  | 'fifo'
  /** `.wh.NAME`: removes NAME from the layers below (path is NAME's). */
  | 'whiteout'
  /** `.wh..wh..opq`: hides everything the layers below put in the directory (path is the directory's). */
  | 'opaque'

/** Stored as small integers: the index holds hundreds of thousands of them. */
export const TYPE_CODES: readonly FileType[] = [
  'file',
  'dir',
  'symlink',
  'hardlink',
  'char',
  'block',
  'fifo',
  'whiteout',
  'opaque',
]
const CODE = new Map(TYPE_CODES.map((t, i) => [t, i]))

export const typeCode = (t: FileType): number => CODE.get(t) as number
export const typeOf = (code: number): FileType => TYPE_CODES[code] ?? 'file'

/** What `ls -l` shows of an entry, whatever holds it (a tar entry, a version in a tree, a listing line). */
export interface FileMeta {
  /** Permission bits with setuid/setgid/sticky (the low 12 bits of the tar mode). */
  mode: number
  uid: number
  gid: number
  /** Bytes of content: regular files (and hardlinks, their target's), 0 otherwise. */
  size: number
  /** Symlinks: the target as written. Hardlinks: the cleaned path of the entry linked to. */
  link: string
}

export interface LayerEntry extends FileMeta {
  /** Cleaned, relative to the root, no leading or trailing slash; '' is the root itself. */
  path: string
  type: FileType
  /** Seconds since the epoch. */
  mtime: number
  /** Position of the entry in its tar (every entry counted, whiteouts included): how it is found again. */
  seq: number
}

/** One entry as a row of a stored chunk: [path, type code, mode, uid, gid, size, mtime, link, seq]. */
export type EntryRow = [string, number, number, number, number, number, number, string, number]

export const toRow = (e: LayerEntry): EntryRow => [
  e.path,
  typeCode(e.type),
  e.mode,
  e.uid,
  e.gid,
  e.size,
  e.mtime,
  e.link,
  e.seq,
]

export const fromRow = (r: EntryRow): LayerEntry => ({
  path: r[0],
  type: typeOf(r[1]),
  mode: r[2],
  uid: r[3],
  gid: r[4],
  size: r[5],
  mtime: r[6],
  link: r[7],
  seq: r[8],
})

/** The `ls -l` type letter. */
export function typeLetter(t: FileType): string {
  switch (t) {
    case 'dir':
      return 'd'
    case 'symlink':
      return 'l'
    case 'char':
      return 'c'
    case 'block':
      return 'b'
    case 'fifo':
      return 'p'
    default:
      return '-'
  }
}

/** `drwxr-xr-x`, with s/S and t/T as ls prints setuid, setgid and sticky. */
export function modeString(t: FileType, mode: number): string {
  const bit = (m: number, c: string) => (mode & m ? c : '-')
  const special = (x: number, set: number, on: string, off: string) =>
    mode & set ? (mode & x ? on : off) : bit(x, 'x')
  return (
    typeLetter(t) +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't', 'T')
  )
}
