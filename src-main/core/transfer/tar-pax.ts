// Go's archive/tar rejects a PAX extended header whose path, linkpath, uname or gname value holds a NUL
// byte (validPAXRecord), and any record key holding one, as a malformed header. node-tar instead cuts the
// value at the NUL and carries on, so `blobs/sha256/<hex>\0anything` would silently name another entry.
// This reads the raw header the way node-tar does (line by line, keeping the records whose length field
// is right) and names the first record Go would refuse.
import { quoteName } from '../quote'

const NAME_RECORDS = new Set(['path', 'linkpath', 'uname', 'gname'])

export function paxRecordProblem(raw: string): string | undefined {
  for (const line of raw.replace(/\n$/, '').split('\n')) {
    const n = parseInt(line, 10)
    if (n !== Buffer.byteLength(line) + 1) continue
    const kv = line.slice(`${n} `.length)
    const eq = kv.indexOf('=')
    if (eq <= 0) continue
    const key = kv.slice(0, eq)
    const value = kv.slice(eq + 1)
    const bad = NAME_RECORDS.has(key) ? value.includes('\0') : key.includes('\0')
    if (bad) return `PAX record ${quoteName(key)} holds a NUL byte (value ${quoteName(value)})`
  }
  return undefined
}
