// Names inside an image come from whoever built it. Shown raw, a name can move a terminal's cursor, recolour
// it or set its title (ESC sequences), break a line into two fake entries (newline), or read backwards
// (bidi overrides: `txt.exe` shown for `exe.txt`). Escaped as `ls -b` does, every name reads as one line
// of what it really is. The index keeps the raw name; only what is shown is escaped.

// C0 and C1 controls, DEL, and the invisible formatting characters that reorder or hide text.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\\]/

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\' }

export function escapeName(s: string): string {
  if (!UNSAFE.test(s)) return s
  let out = ''
  for (const ch of s) {
    if (!UNSAFE.test(ch)) {
      out += ch
      continue
    }
    const code = ch.codePointAt(0) as number
    out += NAMED[ch] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`)
  }
  return out
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')
