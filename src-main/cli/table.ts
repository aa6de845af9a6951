// Go's text/tabwriter, as ctr uses it: tab-terminated cells in consecutive lines form a column whose
// width is its widest cell plus padding; a line's last, unterminated cell is not aligned. Reproduced
// so `berth` output lines up exactly like ctr's.
export interface TabOptions {
  minwidth?: number
  tabwidth?: number
  padding?: number
  padchar?: string
}

type Line = string[]

const width = (s: string) => [...s].length

export function tabwrite(text: string, opts: TabOptions = {}): string {
  const minwidth = opts.minwidth ?? 1
  const tabwidth = opts.tabwidth ?? 8
  const padding = opts.padding ?? 1
  const padchar = opts.padchar ?? ' '
  const raw = text.split('\n')
  const trailingNewline = text.endsWith('\n')
  if (trailingNewline) raw.pop()
  // Lines without a tab end a block: Go flushes on them.
  const blocks: Line[][] = []
  let cur: Line[] = []
  for (const l of raw) {
    const cells = l.split('\t')
    cur.push(cells)
    if (cells.length === 1) {
      blocks.push(cur)
      cur = []
    }
  }
  if (cur.length) blocks.push(cur)
  const out: string[] = []
  const pad = (textw: number, cellw: number): string => {
    if (padchar === '\t') {
      const w = Math.ceil(cellw / tabwidth) * tabwidth
      return '\t'.repeat(Math.ceil((w - textw) / tabwidth))
    }
    return padchar.repeat(cellw - textw)
  }
  for (const lines of blocks) {
    const widths: number[] = []
    const writeLines = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const cells = lines[i]
        let s = ''
        cells.forEach((c, j) => {
          if (j < widths.length && j < cells.length - 1) s += c + pad(width(c), widths[j])
          else s += c
        })
        out.push(s)
      }
    }
    const format = (line0: number, line1: number): void => {
      const column = widths.length
      for (let t = line0; t < line1; t++) {
        if (column >= lines[t].length - 1) continue
        writeLines(line0, t)
        line0 = t
        let w = minwidth
        for (; t < line1; t++) {
          const cells = lines[t]
          if (column >= cells.length - 1) break
          w = Math.max(w, width(cells[column]) + padding)
        }
        widths.push(w)
        format(line0, t)
        widths.pop()
        line0 = t
        t--
      }
      writeLines(line0, line1)
    }
    format(0, lines.length)
  }
  return out.join('\n') + (trailingNewline ? '\n' : '')
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

/** go-units HumanSize: decimal units, 4 significant digits, no space ("1.536kB", "575B"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  let s = v.toPrecision(4)
  if (s.includes('e')) s = String(Number(s))
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '')
  return s + units[i]
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
