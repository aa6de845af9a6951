// RFC 3339 times as containerd reads and writes them: Go's time.Parse(time.RFC3339, s) for gc.expire
// labels and ingest files, and time.RFC3339's format for the expiry labels Berth writes.

/**
 * Milliseconds since the epoch (fractions truncated), or undefined when `s` does not parse. As Go: a
 * fraction of any length (read to nanoseconds), `Z` or a ±hh:mm offset, calendar-checked fields
 * (no February 30th, no hour 24).
 */
export function parseRFC3339(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(s)
  if (!m) return undefined
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number)
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined
  if (h > 23 || mi > 59 || sec > 59) return undefined
  let offset = 0
  if (m[8] !== 'Z') {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (oh > 23 || om > 59) return undefined
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000
  }
  const frac = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  const t = new Date(0)
  t.setUTCFullYear(y, mo - 1, d)
  t.setUTCHours(h, mi, sec, frac)
  return t.getTime() - offset
}

/** RFC 3339 in UTC at second precision, as Go's time.RFC3339 formats it. */
export function formatRFC3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
