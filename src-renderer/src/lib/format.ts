// How numbers, dates and digests read in the UI. Sizes in binary units, as the tools people compare
// against (ctr, docker) print them.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`
}

export function shortDigest(d: string | null | undefined, n = 12): string {
  if (!d) return '—'
  const i = d.indexOf(':')
  return i >= 0 ? d.slice(i + 1, i + 1 + n) : d.slice(0, n)
}

export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return '—'
  const s = Math.round((now - t) / 1000)
  if (s < 45) return 'just now'
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h ago`
  const d = Math.round(h / 24)
  if (d < 30) return `${d} d ago`
  return new Date(t).toISOString().slice(0, 10)
}

export function fullTime(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString()
}

export const MEDIA_SHORT: Record<string, string> = {
  'application/vnd.oci.image.index.v1+json': 'OCI index',
  'application/vnd.oci.image.manifest.v1+json': 'OCI manifest',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker list',
  'application/vnd.docker.distribution.manifest.v2+json': 'Docker manifest',
  'application/vnd.oci.image.config.v1+json': 'OCI config',
  'application/vnd.docker.container.image.v1+json': 'Docker config',
}

export function mediaShort(mt: string | null | undefined): string {
  if (!mt) return 'unknown'
  if (MEDIA_SHORT[mt]) return MEDIA_SHORT[mt]
  if (mt.includes('layer') || mt.includes('rootfs')) {
    const c = mt.endsWith('gzip') ? ' (gzip)' : mt.endsWith('zstd') ? ' (zstd)' : ''
    return `layer${c}`
  }
  if (mt === 'application/vnd.in-toto+json') return 'in-toto statement'
  return mt.replace(/^application\//, '')
}

// Names from inside an image are written by whoever built it: control characters (terminal escapes,
// newlines) and bidi overrides (`exe.txt` shown as `txt.exe`) are shown escaped, as `ls -b` does.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g

export function shownName(s: string): string {
  return s.replace(UNSAFE_NAME, (c) => {
    const code = c.charCodeAt(0)
    if (c === '\n') return '\\n'
    if (c === '\t') return '\\t'
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** `ls -l`'s mode column: drwxr-xr-x, with s/S and t/T for setuid, setgid and sticky. */
export function lsMode(type: string, mode: number): string {
  const letter = { dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' }[type] ?? '-'
  const rwx = (shift: number, special: number, on: string) => {
    const r = mode & (4 << shift) ? 'r' : '-'
    const w = mode & (2 << shift) ? 'w' : '-'
    const x = mode & (1 << shift)
    const s = mode & special ? (x ? on : on.toUpperCase()) : x ? 'x' : '-'
    return r + w + s
  }
  return letter + rwx(6, 0o4000, 's') + rwx(3, 0o2000, 's') + rwx(0, 0o1000, 't')
}

/** Seconds since the epoch as a local date and time. */
export function fileTime(seconds: number): string {
  return seconds > 0 ? new Date(seconds * 1000).toLocaleString() : '—'
}
