// Small re-creations of the Go standard-library string behaviour the platforms package leans on.
// containerd's results (error texts, sort orders, path joining) depend on these details, so they are
// reproduced rather than approximated with the nearest JavaScript built-in.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u

/** strconv.Quote: how containerd's `%q` renders a specifier inside an error message. */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate reaches Go as U+FFFD, which Quote prints literally.
      out += '\ufffd'
    } else if (PRINTABLE.test(ch)) {
      out += ch
    } else {
      out += escapeRune(cp)
    }
  }
  return out + '"'
}

function escapeRune(cp: number): string {
  switch (cp) {
    case 0x07:
      return '\\a'
    case 0x08:
      return '\\b'
    case 0x0c:
      return '\\f'
    case 0x0a:
      return '\\n'
    case 0x0d:
      return '\\r'
    case 0x09:
      return '\\t'
    case 0x0b:
      return '\\v'
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0')
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0')
  return '\\U' + cp.toString(16).padStart(8, '0')
}

/**
 * strings.ToLower: Go maps each rune on its own (simple case mapping), so it never grows a string
 * the way JavaScript's full mapping does for U+0130, and it has no final-sigma rule.
 */
export function goLower(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase()
  let out = ''
  for (const ch of s) {
    if (ch === '\u0130') {
      out += 'i'
      continue
    }
    const lower = ch.toLowerCase()
    out += [...lower].length === 1 ? lower : ch
  }
  return out
}

/**
 * Go compares strings byte-wise in UTF-8, which is code-point order. JavaScript compares UTF-16 code
 * units, which disagrees only between astral characters and U+E000..U+FFFF; fix those up.
 */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x < y ? -1 : 1
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

/** slices.Sort followed by slices.Compact. */
export function sortedUnique(values: readonly string[]): string[] {
  const sorted = [...values].sort(goCompare)
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1])
}

/** path.Clean, which path.Join applies to its result. */
export function pathClean(p: string): string {
  if (p === '') return '.'
  const rooted = p.startsWith('/')
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
      else if (!rooted) out.push('..')
      continue
    }
    out.push(part)
  }
  const joined = out.join('/')
  if (rooted) return '/' + joined
  return joined === '' ? '.' : joined
}

/** path.Join: empty elements are dropped, the rest joined with "/" and cleaned. */
export function pathJoin(...elems: string[]): string {
  const kept = elems.filter((e) => e !== '')
  return kept.length === 0 ? '' : pathClean(kept.join('/'))
}

const UTF8 = new TextDecoder('utf-8')
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c)

/**
 * url.PathUnescape. Returns the decoded text, or the offending escape (at most three characters)
 * when a `%` is not followed by two hex digits. Bytes that are not UTF-8 become U+FFFD.
 */
export function pathUnescape(s: string): { value: string } | { badEscape: string } {
  if (!s.includes('%')) return { value: s }
  const bytes: number[] = []
  const enc = new TextEncoder()
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        return { badEscape: s.slice(i, i + 3) }
      }
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16))
      i += 3
      continue
    }
    const cp = s.codePointAt(i) as number
    const ch = String.fromCodePoint(cp)
    for (const b of enc.encode(ch)) bytes.push(b)
    i += ch.length
  }
  return { value: UTF8.decode(new Uint8Array(bytes)) }
}

const INT64_MAX = (1n << 63n) - 1n

/** strconv.Atoi: optional sign, decimal digits only, int64 range; undefined where Go errs. */
export function goAtoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined
  const v = BigInt(s)
  if (v > INT64_MAX || v < -INT64_MAX - 1n) return undefined
  return Number(v)
}

/** strconv.ParseUint(s, 10, bits): decimal digits only, within the bit size; undefined where Go errs. */
export function goParseUint(s: string, bits: number): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined
  const v = BigInt(s)
  if (v >= 1n << BigInt(bits)) return undefined
  return Number(v)
}
