// What compresses a stream, told by its first bytes whatever its name or media type says: containerd's
// compression.DetectCompression (archive/compression), which the archive reader, the import's
// docker-save layers and the diff-ID computation all go by.

export type Compression = 'gzip' | 'zstd' | 'none'

/** Bytes detectCompression needs to decide every case (a zstd skippable frame's magic and length). */
export const COMPRESSION_HEAD_BYTES = 8

/**
 * gzip: 1F 8B 08 (the deflate method byte included, as containerd checks it). zstd: a Zstandard frame
 * (28 B5 2F FD), or a skippable frame (magic 0x184D2A50..5F little-endian) that a zstd stream may open
 * with, recognised only with all 8 header bytes present. Anything else: none.
 */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip'
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'zstd'
  if (
    head.length >= COMPRESSION_HEAD_BYTES &&
    (head[0] & 0xf0) === 0x50 &&
    head[1] === 0x2a &&
    head[2] === 0x4d &&
    head[3] === 0x18
  ) {
    return 'zstd'
  }
  return 'none'
}
