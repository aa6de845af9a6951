// What a file is, guessed from its first bytes as file(1) does for the common cases: executables, archives,
// images, databases by magic number; text when the bytes are UTF-8 without NULs (and what kind of text by
// its first line or its name).
export interface Sniffed {
  kind: 'text' | 'binary' | 'empty'
  /** Human words: "ELF executable", "gzip data", "shell script", "JSON text". */
  description: string
}

const MAGIC: [number[], string, number?][] = [
  [[0x7f, 0x45, 0x4c, 0x46], 'ELF executable or library'],
  [[0x1f, 0x8b], 'gzip compressed data'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd compressed data'],
  [[0x42, 0x5a, 0x68], 'bzip2 compressed data'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz compressed data'],
  [[0x50, 0x4b, 0x03, 0x04], 'zip archive (or jar, apk, wheel)'],
  [[0x89, 0x50, 0x4e, 0x47], 'PNG image'],
  [[0xff, 0xd8, 0xff], 'JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'PDF document'],
  [[0x00, 0x61, 0x73, 0x6d], 'WebAssembly module'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'Mach-O executable'],
  [[0xca, 0xfe, 0xba, 0xbe], 'Mach-O universal binary or Java class'],
  [[0x4d, 0x5a], 'PE executable (Windows)'],
  [[0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], 'SQLite database'],
  [[0x75, 0x73, 0x74, 0x61, 0x72], 'tar archive', 257],
]

const BY_NAME: [RegExp, string][] = [
  [/\.json$/i, 'JSON text'],
  [/\.ya?ml$/i, 'YAML text'],
  [/\.(xml|svg)$/i, 'XML text'],
  [/\.html?$/i, 'HTML text'],
  [/\.(sh|bash)$/i, 'shell script'],
  [/\.py$/i, 'Python script'],
  [/\.(js|mjs|cjs)$/i, 'JavaScript source'],
  [/\.(c|h)$/i, 'C source'],
  [/\.(conf|cfg|ini|toml)$/i, 'configuration text'],
  [/\.md$/i, 'Markdown text'],
]

export function sniff(head: Uint8Array, name: string): Sniffed {
  if (head.length === 0) return { kind: 'empty', description: 'empty' }
  for (const [magic, description, at = 0] of MAGIC) {
    if (head.length >= at + magic.length && magic.every((b, i) => head[at + i] === b))
      return { kind: 'binary', description }
  }
  if (!isText(head)) return { kind: 'binary', description: 'binary data' }
  const first = Buffer.from(head.subarray(0, Math.min(head.length, 200))).toString('utf8')
  if (first.startsWith('#!')) {
    const interp = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first)
    const prog = interp ? (interp[1].endsWith('/env') && interp[2] ? interp[2] : interp[1]) : ''
    return { kind: 'text', description: `${prog.slice(prog.lastIndexOf('/') + 1) || 'interpreter'} script` }
  }
  for (const [re, description] of BY_NAME) if (re.test(name)) return { kind: 'text', description }
  return { kind: 'text', description: 'text' }
}

/** UTF-8 with no NUL: a last character cut by the read limit still counts as text. */
function isText(b: Uint8Array): boolean {
  if (b.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true })
    return true
  } catch {
    return false
  }
}
