// `hexdump -C` lines for a binary file's first bytes: offset, sixteen bytes in hex, and the printable ones.
export function hexdump(bytes: Uint8Array, width = 16): string {
  const lines: string[] = []
  for (let off = 0; off < bytes.length; off += width) {
    const row = bytes.subarray(off, off + width)
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'))
    const left = hex.slice(0, 8).join(' ')
    const right = hex.slice(8).join(' ')
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${off.toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`)
  }
  return lines.join('\n')
}
