// The label rules the editor checks as the user types, as containerd applies them: key + value at most
// 4096 UTF-8 bytes; keys under containerd.io/ (and io.cri-containerd) are reserved for the runtime.
export const LABEL_LIMIT = 4096

const encoder = new TextEncoder()

export function utf8Length(s: string): number {
  return encoder.encode(s).length
}

export function labelBytes(key: string, value: string): number {
  return utf8Length(key) + utf8Length(value)
}

export function isReserved(key: string): boolean {
  return key.startsWith('containerd.io/') || key.startsWith('io.cri-containerd')
}

export interface LabelRow {
  id: number
  key: string
  value: string
  /** The stored key this row started from; null for a new row. */
  original: string | null
  removed: boolean
}

export type RowProblem = 'empty-key' | 'too-long' | 'duplicate' | 'empty-value' | null

export function problemOf(row: LabelRow, rows: LabelRow[]): RowProblem {
  if (row.removed) return null
  if (row.key === '') return 'empty-key'
  if (labelBytes(row.key, row.value) > LABEL_LIMIT) return 'too-long'
  if (rows.some((r) => r !== row && !r.removed && r.key === row.key)) return 'duplicate'
  if (row.value === '') return 'empty-value'
  return null
}

/** The per-key changes that turn `stored` into the edited rows: a string sets, null removes. */
export function diffLabels(stored: Record<string, string>, rows: LabelRow[]): Record<string, string | null> {
  const changes: Record<string, string | null> = {}
  const kept = new Set<string>()
  for (const r of rows) {
    if (r.removed || r.key === '') continue
    kept.add(r.key)
    if (stored[r.key] !== r.value) changes[r.key] = r.value
  }
  for (const k of Object.keys(stored)) if (!kept.has(k)) changes[k] = null
  return changes
}
