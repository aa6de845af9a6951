// Names that come from an archive (entry paths, link targets, image names) are attacker-chosen text: a
// newline in one would cut an error message in two and hide the reason, an ESC would drive the terminal.
// Every message quotes them with JSON-style escapes, including the characters JSON itself leaves raw
// (DEL, C1 controls, line and paragraph separators, bidi overrides), and cuts very long ones.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g

/** Longest name quoted in full; a PAX path may be up to a megabyte long. */
export const QUOTE_MAX = 512

/** `\n`, `\t`… where JSON has a short form, `\u001b` otherwise. */
function escapeChar(c: string): string {
  const j = JSON.stringify(c).slice(1, -1)
  return j.startsWith('\\') ? j : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}

export function quoteName(s: string): string {
  const cut = s.length > QUOTE_MAX ? s.slice(0, QUOTE_MAX) : s
  const q = JSON.stringify(cut).replace(CONTROLS, escapeChar)
  return cut === s ? q : `${q}… (${s.length - QUOTE_MAX} more characters)`
}

/** Free text that may embed a name raw (another module's message): its control characters escaped. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escapeChar)
}
