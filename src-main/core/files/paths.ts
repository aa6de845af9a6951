// Paths inside an image. A tar names entries as it likes (./usr, /usr, usr//bin/, ../../etc); unpackers
// clean the name and resolve it under the root, so `..` never climbs out (containerd's fs.RootPath,
// umoci's securejoin). The index stores that cleaned form: relative, no leading or trailing slash.

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_MARKER = '.wh..wh..opq'

/** Lexically cleaned and clamped at the root: `./a//b/../c/` → `a/c`, `../../etc` → `etc`, `/` → ''. */
export function cleanPath(raw: string): string {
  // The common case (already clean) allocates nothing.
  if (
    raw.length > 0 &&
    raw[0] !== '/' &&
    raw[raw.length - 1] !== '/' &&
    !raw.includes('//') &&
    !/(^|\/)\.\.?(\/|$)/.test(raw)
  ) {
    return raw
  }
  const out: string[] = []
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return out.join('/')
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`
}

/** How the API and the CLI show a path: absolute. */
export const displayPath = (path: string): string => `/${path}`

/** A path as a user types it (`/etc/`, `etc`, `/`) in the index's form. */
export const fromDisplay = (p: string): string => cleanPath(p)

export type WhiteoutKind = { kind: 'whiteout'; path: string } | { kind: 'opaque'; path: string } | null

/**
 * What a cleaned path means to the overlay: a whiteout of `dir/NAME`, an opaque marker for `dir`, or
 * nothing (null). Other `.wh..wh.` names are AUFS bookkeeping (hardlink dirs) that unpackers skip:
 * 'skip'.
 */
export function whiteoutOf(path: string): WhiteoutKind | 'skip' {
  const base = baseOf(path)
  if (!base.startsWith(WHITEOUT_PREFIX)) return null
  const dir = dirOf(path)
  if (base === OPAQUE_MARKER) return { kind: 'opaque', path: dir }
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return 'skip'
  const name = base.slice(WHITEOUT_PREFIX.length)
  if (name === '' || name === '.' || name === '..') return 'skip'
  return { kind: 'whiteout', path: joinPath(dir, name) }
}

/** Every directory above `path`, outermost first ('' excluded): `a/b/c` → [`a`, `a/b`]. */
export function ancestors(path: string): string[] {
  const out: string[] = []
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i))
  return out
}

/** The smallest string greater than every path below `dir/` (for index range scans). */
export function subtreeBounds(dir: string): { low: string; high: string } {
  // '/' is 0x2f; '0' (0x30) is the next code point, so [dir/, dir0) is exactly the subtree.
  return { low: `${dir}/`, high: `${dir}0` }
}
