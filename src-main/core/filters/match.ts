// How a selector judges one object (pkg/filters/filter.go), and the adaptors that expose an object's
// fields to it (pkg/filters/adaptor.go, core/metadata/adaptors.go).

import { RE2JS } from 're2js'
import type { Selector } from './parser'

/** The value at `fieldpath`, or undefined when the object has no such field. */
export type Adaptor = (fieldpath: string[]) => string | undefined

export interface Filter {
  match(a: Adaptor): boolean
}

type Search = (value: string) => boolean

const NEVER: Search = () => false
// Patterns are few and reused across many objects; keep the compiled ones, but not without bound.
const CACHE_LIMIT = 512
const compiled = new Map<string, { search: Search; size?: number }>()

/**
 * The largest compiled program (re2js's programSize, RE2's rough measure of cost) a `~=` pattern may
 * have. A search costs about program size × value length, and a filter runs over every image of a
 * namespace: `(a|b|c|d){1000}` (3,002) takes seconds on one 1,000-byte name. Patterns people write
 * stay far below it: a digest, `[0-9a-f]{64}`, is 66; a whole reference pattern a few hundred. This is
 * Berth's own bound; containerd has none.
 */
export const MAX_REGEXP_PROGRAM = 1000

function compile(pattern: string): { search: Search; size?: number } {
  let c = compiled.get(pattern)
  if (c === undefined) {
    try {
      const re = RE2JS.compile(pattern)
      const size = re.programSize()
      c = { search: size > MAX_REGEXP_PROGRAM ? NEVER : (value) => re.test(value), size }
    } catch {
      c = { search: NEVER }
    }
    if (compiled.size >= CACHE_LIMIT) compiled.clear()
    compiled.set(pattern, c)
  }
  return c
}

/**
 * An unanchored RE2 search for `pattern` (Go regexp syntax, linear time). A pattern that does not compile
 * never matches, as upstream, where that is only logged and is not a parse error; nor does one over
 * MAX_REGEXP_PROGRAM, which the parser refuses before any search runs.
 */
export function regexpSearch(pattern: string): Search {
  return compile(pattern).search
}

/** The compiled program's size, or undefined when the pattern does not compile. */
export function regexpProgramSize(pattern: string): number | undefined {
  return compile(pattern).size
}

/** Whether a selector holds for a field whose value is `value` (undefined: absent). */
export function matchValue(sel: Selector, value: string | undefined): boolean {
  switch (sel.operator) {
    case '':
      return value !== undefined
    case '==':
      return value !== undefined && value === sel.value
    case '!=':
      // An absent field reads as "", so it differs from every value but "".
      return (value ?? '') !== sel.value
    case '~=':
      return regexpSearch(sel.value)(value ?? '')
  }
}

export function matchSelector(sel: Selector, a: Adaptor): boolean {
  return matchValue(sel, a([...sel.fieldpath]))
}

export function matchAll(sels: readonly Selector[], a: Adaptor): boolean {
  return sels.every((s) => matchSelector(s, a))
}

/** containerd's checkMap: the rest of the path, joined with '.', names a key; an empty map has no keys. */
export function checkMap(
  fieldpath: readonly string[],
  m: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (m === undefined) return undefined
  const key = fieldpath.join('.')
  return Object.hasOwn(m, key) ? m[key] : undefined
}

export interface AdaptSpec {
  /** Scalar fields by their dotted path (`name`, `target.digest`); '' or undefined counts as absent. */
  readonly fields?: Readonly<Record<string, string | undefined>>
  /** Maps such as `labels`, whose keys follow the first path element (`labels."a.b"` and `labels.a.b` alike). */
  readonly maps?: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>
}

/** An Adaptor in the shape of containerd's metadata adaptors. */
export function adapt(spec: AdaptSpec): Adaptor {
  // Scalar fields are matched on the whole path, so the quoted single field `"target.digest"` is not
  // `target.digest`, just as upstream's switch on fieldpath[0] tells them apart.
  const fields = new Map<string, string>()
  for (const [path, v] of Object.entries(spec.fields ?? {})) {
    if (v !== undefined && v !== '') fields.set(JSON.stringify(path.split('.')), v)
  }
  return (fieldpath) => {
    if (fieldpath.length === 0) return undefined
    const [head, ...rest] = fieldpath
    if (spec.maps && Object.hasOwn(spec.maps, head)) return checkMap(rest, spec.maps[head])
    return fields.get(JSON.stringify(fieldpath))
  }
}
