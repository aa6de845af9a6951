// Filters over image records: containerd's image adaptor (core/metadata/adaptors.go adaptImage), and
// the part of a filter that SQL can answer from an index. The SQL only narrows the candidates; every
// candidate is still checked with the real Filter, so the two can never disagree on semantics.
import { matchesEverything, parseAll, type Adaptor, type Filter, type Selector } from '../filters'
import type { Image } from './store-rows'

/** `name`, `target.digest`, `target.mediatype`, `labels.<key>`, `annotations.<key>`; all else absent. */
export function adaptImage(img: Image): Adaptor {
  return (fp) => {
    if (fp.length === 0) return undefined
    switch (fp[0]) {
      // Upstream switches on the first one or two elements only, so `name.x` is the name too.
      case 'name':
        return img.name === '' ? undefined : img.name
      case 'target':
        if (fp[1] === 'digest') return img.target.digest || undefined
        if (fp[1] === 'mediatype') return img.target.mediaType || undefined
        return undefined
      case 'labels':
        return lookup(img.labels, fp)
      case 'annotations':
        return lookup(img.target.annotations, fp)
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

export interface ListPlan {
  /** null when every image matches. */
  filter: Filter | null
  /** SQL appended to `WHERE namespace = @ns` of both the image and the label query; '' for none. */
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
    const parts = sels.map((s) => candidates(s, param)).filter((q): q is string => q !== null)
    // One alternative SQL cannot narrow means any image may match: scan the namespace.
    if (parts.length === 0) return { filter: parsed, where: '', params: {} }
    alternatives.push(parts.join(' INTERSECT '))
  }
  return { filter: parsed, where: `AND name IN (${alternatives.join(' UNION ')})`, params }
}

/** A query of the names that may satisfy the selector, or null when it cannot be narrowed by index. */
function candidates(s: Selector, param: (v: string) => string): string | null {
  const [head, second] = s.fieldpath
  if (s.operator === '==' && head === 'name') return `SELECT ${param(s.value)}`
  if (s.operator === '==' && head === 'target' && second === 'digest') {
    return `SELECT name FROM images WHERE namespace = @ns AND target_digest = ${param(s.value)}`
  }
  if (head === 'labels' && (s.operator === '==' || s.operator === '')) {
    const key = param(s.fieldpath.slice(1).join('.'))
    const value = s.operator === '==' ? ` AND value = ${param(s.value)}` : ''
    return `SELECT name FROM image_labels WHERE namespace = @ns AND key = ${key}${value}`
  }
  return null
}
