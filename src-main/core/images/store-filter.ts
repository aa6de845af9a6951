// Filters over image records: containerd's image adaptor (core/metadata/adaptors.go adaptImage), and
// the part of a filter that SQL can answer cheaply. The SQL only narrows the candidates; every
// candidate is still checked with the real Filter, so the two can never disagree on semantics.
import { matchesEverything, parseAll, type Adaptor, type Filter, type Selector } from '../filters'
import { regexpPrefix } from '../filters/regexp-prefix'
import { decodeMap, rowToImage, type Image, type ImageRow } from './store-rows'

interface Fields {
  name: string
  digest: string
  mediaType: string
  labels(): Record<string, string>
  annotations(): Record<string, string> | undefined
}

/** `name`, `target.digest`, `target.mediatype`, `labels.<key>`, `annotations.<key>`; all else absent. */
function adapt(f: Fields): Adaptor {
  return (fp) => {
    if (fp.length === 0) return undefined
    switch (fp[0]) {
      // Upstream switches on the first one or two elements only, so `name.x` is the name too.
      case 'name':
        return f.name === '' ? undefined : f.name
      case 'target':
        if (fp[1] === 'digest') return f.digest || undefined
        if (fp[1] === 'mediatype') return f.mediaType || undefined
        return undefined
      case 'labels':
        return lookup(f.labels(), fp)
      case 'annotations':
        return lookup(f.annotations(), fp)
      default:
        return undefined
    }
  }
}

function lookup(m: Record<string, string> | undefined, fp: readonly string[]): string | undefined {
  if (!m) return undefined
  // An empty map has no keys; fieldpath elements after the first are re-joined with '.'.
  const key = fp.length === 2 ? fp[1] : fp.slice(1).join('.')
  return Object.hasOwn(m, key) ? m[key] : undefined
}

export function adaptImage(img: Image): Adaptor {
  return adapt({
    name: img.name,
    digest: img.target.digest,
    mediaType: img.target.mediaType,
    labels: () => img.labels,
    annotations: () => img.target.annotations,
  })
}

/** The fields of the raw row being judged; labels and annotations are decoded only if asked for. */
class RowFields implements Fields {
  row: ImageRow = ['', '', '', 0, '{}', 0, 0, null]
  decodedLabels: Record<string, string> | undefined
  decodedAnnotations: Record<string, string> | undefined
  get name(): string {
    return this.row[0]
  }
  get digest(): string {
    return this.row[2]
  }
  get mediaType(): string {
    return this.row[1]
  }
  labels(): Record<string, string> {
    return (this.decodedLabels ??= decodeMap(this.row[7]))
  }
  annotations(): Record<string, string> {
    return (this.decodedAnnotations ??= decodeMap(this.row[4]))
  }
}

/**
 * A judge of raw rows for one list call: it builds the Image only for a match, reusing whatever was
 * decoded. One adaptor serves every row, so judging allocates nothing per row.
 */
export function rowMatcher(f: Filter): (r: ImageRow) => Image | undefined {
  const { fields, judge } = judgeRows(f)
  return (r) => (judge(r) ? rowToImage(r, fields.decodedLabels, fields.decodedAnnotations) : undefined)
}

/** Whether raw rows match, building nothing (the service's SQL judge over a page's candidates). */
export function rowJudge(f: Filter): (r: ImageRow) => boolean {
  return judgeRows(f).judge
}

function judgeRows(f: Filter): { fields: RowFields; judge: (r: ImageRow) => boolean } {
  const fields = new RowFields()
  const a = adapt(fields)
  const judge = (r: ImageRow): boolean => {
    fields.row = r
    fields.decodedLabels = undefined
    fields.decodedAnnotations = undefined
    return f.match(a)
  }
  return { fields, judge }
}

export interface ListPlan {
  /** null when every image matches. */
  filter: Filter | null
  /** SQL appended to `WHERE i.namespace = @ns`; '' for none. */
  where: string
  params: Record<string, string>
}

/** Parses the filters (InvalidArgument on a syntax error) and derives what SQL can narrow. */
export function planList(filters: readonly string[]): ListPlan {
  const parsed = parseAll(...filters)
  if (filters.length === 0 || matchesEverything(parsed)) return { filter: null, where: '', params: {} }
  const params: Record<string, string> = {}
  const param = (v: string) => {
    const name = `p${Object.keys(params).length}`
    params[name] = v
    return `@${name}`
  }
  const alternatives: string[] = []
  for (const sels of parsed.alternatives) {
    const parts = sels.map((s) => condition(s, param)).filter((q): q is string => q !== null)
    // One alternative SQL cannot narrow means any image may match: scan the namespace.
    if (parts.length === 0) return { filter: parsed, where: '', params: {} }
    alternatives.push(parts.join(' AND '))
  }
  const where = alternatives.length === 1 ? alternatives[0] : alternatives.map((a) => `(${a})`).join(' OR ')
  return { filter: parsed, where: `AND (${where})`, params }
}

/** A Map, not an object: a field named `constructor` or `__proto__` must find nothing here. */
const COLUMNS = new Map([
  ['digest', 'i.target_digest'],
  ['mediatype', 'i.target_media_type'],
])

/**
 * A necessary condition for the selector on `images i`, or null. `==` and presence use the primary
 * key, the digest index or the label index; `~=` with a plain literal (no RE2 metacharacter, not
 * empty) is an unanchored, case-sensitive substring search, which instr() decides in C; an anchored
 * pattern such as `^docker.io/` narrows to the range of its literal prefix in the same indexes.
 */
function condition(s: Selector, param: (v: string) => string): string | null {
  const [head, second] = s.fieldpath
  const literal = s.operator === '~=' && isLiteral(s.value)
  const prefix = s.operator === '~=' && !literal ? rangePrefix(s.value) : ''
  const range = (column: string) =>
    `${column} >= ${param(prefix)} AND ${column} < ${param(prefix.slice(0, -1) + next(prefix.slice(-1)))}`
  let column: string | undefined
  if (head === 'name') column = 'i.name'
  else if (head === 'target' && second !== undefined) column = COLUMNS.get(second)
  if (column !== undefined) {
    if (s.operator === '==') return `${column} = ${param(s.value)}`
    if (literal) return `instr(${column}, ${param(s.value)}) > 0`
    if (prefix) return range(column)
    return null
  }
  if (head !== 'labels') return null
  let value: string
  if (s.operator === '==') value = ` AND value = ${param(s.value)}`
  else if (s.operator === '') value = ''
  else if (literal) value = ` AND instr(value, ${param(s.value)}) > 0`
  else if (prefix) value = ` AND ${range('value')}`
  else return null
  const key = param(s.fieldpath.slice(1).join('.'))
  return `i.name IN (SELECT name FROM image_labels WHERE namespace = @ns AND key = ${key}${value})`
}

/**
 * The pattern's literal prefix when it is printable ASCII: then every string that starts with it lies in
 * [prefix, prefix with its last character's successor) in byte order (SQLite's BINARY collation).
 */
function rangePrefix(pattern: string): string {
  const p = regexpPrefix(pattern)
  return /^[ -~]+$/.test(p) ? p : ''
}

const next = (c: string): string => String.fromCharCode(c.charCodeAt(0) + 1)

/** A `~=` pattern without RE2 metacharacters: searching for it is a plain, case-sensitive substring test. */
export function isLiteral(pattern: string): boolean {
  return pattern !== '' && !/[\\.+*?()|[\]{}^$]/.test(pattern)
}
