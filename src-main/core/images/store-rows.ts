// How an image record lies in SQLite (images + image_labels) and how rows become Image values.
// Lists read the image rows and the label rows as two queries in the same (namespace, name) order and
// merge them, which is cheaper than a join with GROUP BY over 100k rows.
import type { Descriptor } from '../oci'

export interface Image {
  name: string
  labels: Record<string, string>
  target: Descriptor
  createdAt: Date
  updatedAt: Date
}

/** [name, media type, digest, size, annotations JSON, created ms, updated ms] */
export type ImageRow = [string, string, string, number, string, number, number]
/** [name, key, value] */
export type LabelRow = [string, string, string]

export const IMAGE_COLUMNS =
  'name, target_media_type, target_digest, target_size, target_annotations, created_at, updated_at'

const EMPTY_JSON = '{}'

/** Annotations are stored as a JSON object; '{}' is by far the common case, so skip the parser for it. */
export function decodeMap(json: string): Record<string, string> {
  return json === EMPTY_JSON ? {} : (JSON.parse(json) as Record<string, string>)
}

export function encodeMap(m: Record<string, string> | undefined): string {
  if (!m) return EMPTY_JSON
  const kept = Object.entries(m).filter(([, v]) => v !== '')
  return kept.length === 0 ? EMPTY_JSON : JSON.stringify(Object.fromEntries(kept))
}

export function rowToImage(row: ImageRow, labels: Record<string, string>): Image {
  const target: Descriptor = { mediaType: row[1], digest: row[2], size: row[3] }
  if (row[4] !== EMPTY_JSON) target.annotations = decodeMap(row[4])
  return { name: row[0], labels, target, createdAt: new Date(row[5]), updatedAt: new Date(row[6]) }
}

/**
 * Merges image rows with label rows. Both must come from the same read transaction, selected by the
 * same condition and sorted by name under the same collation, so the label names are a subsequence
 * of the image names. Names are compared only for equality: JS string order never matters.
 */
export function mergeRows(rows: ImageRow[], labelRows: LabelRow[]): Image[] {
  const out = new Array<Image>(rows.length)
  let j = 0
  for (let i = 0; i < rows.length; i++) {
    const name = rows[i][0]
    let labels: Record<string, string> | undefined
    while (j < labelRows.length && labelRows[j][0] === name) {
      labels ??= {}
      // defineProperty keeps a key such as "__proto__" as an ordinary own label.
      if (labelRows[j][1] === '__proto__') {
        Object.defineProperty(labels, '__proto__', {
          value: labelRows[j][2],
          enumerable: true,
          writable: true,
          configurable: true,
        })
      } else labels[labelRows[j][1]] = labelRows[j][2]
      j++
    }
    out[i] = rowToImage(rows[i], labels ?? {})
  }
  return out
}
