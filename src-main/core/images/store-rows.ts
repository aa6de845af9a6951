// How an image record lies in SQLite and how rows become Image values. `images` holds the record,
// `image_label_maps` its labels as one JSON object (what reads use), `image_labels` one row per label
// (what filters and GC use as an index). Writes keep the two label forms identical.
import type { Descriptor } from '../oci'

export interface Image {
  name: string
  labels: Record<string, string>
  target: Descriptor
  createdAt: Date
  updatedAt: Date
}

/** [name, media type, digest, size, annotations JSON, created ms, updated ms, labels JSON | null] */
export type ImageRow = [string, string, string, number, string, number, number, string | null]

/** The columns of ImageRow, from `images i LEFT JOIN image_label_maps m`. */
export const IMAGE_SELECT =
  'SELECT i.name, i.target_media_type, i.target_digest, i.target_size, i.target_annotations, ' +
  'i.created_at, i.updated_at, m.labels FROM images i ' +
  'LEFT JOIN image_label_maps m ON m.namespace = i.namespace AND m.name = i.name'

const EMPTY_JSON = '{}'

/** Maps are stored as JSON objects; '{}' and NULL are by far the common case, so skip the parser. */
export function decodeMap(json: string | null): Record<string, string> {
  // JSON.parse makes "__proto__" an ordinary own key, as a label key must be.
  return json === null || json === EMPTY_JSON ? {} : (JSON.parse(json) as Record<string, string>)
}

/** The map as written: empty values are dropped (containerd drops them on write). */
export function dropEmpty(m: Record<string, string> | undefined): Record<string, string> {
  if (!m) return {}
  const kept = Object.entries(m).filter(([, v]) => v !== '')
  return Object.fromEntries(kept)
}

export function encodeMap(m: Record<string, string> | undefined): string {
  const kept = dropEmpty(m)
  for (const k in kept) if (Object.hasOwn(kept, k)) return JSON.stringify(kept)
  return EMPTY_JSON
}

/** `labels` and `annotations`, when given, are the row's maps already decoded. */
export function rowToImage(
  row: ImageRow,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): Image {
  const target: Descriptor = { mediaType: row[1], digest: row[2], size: row[3] }
  if (row[4] !== EMPTY_JSON) target.annotations = annotations ?? decodeMap(row[4])
  return {
    name: row[0],
    labels: labels ?? decodeMap(row[7]),
    target,
    createdAt: new Date(row[5]),
    updatedAt: new Date(row[6]),
  }
}
