// How berth prints tables and sizes, the same for every command: columns separated by two spaces, no
// trailing space, no tab; control characters in a cell (image names may hold any) shown escaped; one size
// format, containerd's progress.Bytes.

// Most cells are printable ASCII: one test spares them the per-character work.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g

const width = (s: string) => (PRINTABLE_ASCII.test(s) ? s.length : [...s].length)

/** A cell as it can be shown on one line of a table: tabs, newlines and other controls escaped. */
export function cell(s: string): string {
  if (PRINTABLE_ASCII.test(s)) return s
  return s.replace(CONTROL, (c) => {
    if (c === '\t') return '\\t'
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

/** Rows as aligned columns: every column but the last padded to its widest cell plus `gap` spaces. */
export function columns(rows: readonly (readonly string[])[], gap = 2): string {
  const cells = rows.map((r) => r.map(cell))
  const widths: number[] = []
  for (const r of cells)
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, width(c))
    })
  let out = ''
  for (const r of cells) {
    let line = ''
    for (let i = 0; i < r.length; i++)
      line += i < r.length - 1 ? r[i] + ' '.repeat(widths[i] - width(r[i]) + gap) : r[i]
    out += `${line.trimEnd()}\n`
  }
  return out
}

/** containerd's progress.Bytes: binary units, one decimal ("1.5 KiB", "575.0 B"). */
export function bytesBinary(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1).padStart(2, '0')} ${units[i]}`
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 1) return 'Less than a second'
  if (seconds === 1) return '1 second'
  if (seconds < 60) return `${seconds} seconds`
  const minutes = Math.floor(ms / 60000)
  if (minutes === 1) return 'About a minute'
  if (minutes < 60) return `${minutes} minutes`
  const hours = Math.round(ms / 3600000)
  if (hours === 1) return 'About an hour'
  if (hours < 48) return `${hours} hours`
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`
  return `${Math.floor(ms / 3600000 / 24 / 365)} years`
}

export function labelsColumn(labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
  return pairs.length ? pairs.join(',') : '-'
}
