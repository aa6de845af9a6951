// Two merged trees compared path by path: added (only in B), removed (only in A), changed (in both, with a
// different type, size, mode, owner or link target). Modification times are not compared: rebuilding an
// image changes every one of them and says nothing about what is in it. Both listings are in pathOrder,
// so this is one merge of two sorted lists; identical lines (most of two related images) cost one
// string comparison each.
import { lineOrder, parseLine, type ListedEntry } from './listing-lines'

export type DiffChange = 'added' | 'removed' | 'changed'
export type DiffField = 'type' | 'size' | 'mode' | 'owner' | 'link'

export interface DiffEntry {
  path: string
  change: DiffChange
  a?: ListedEntry
  b?: ListedEntry
  fields: DiffField[]
}

/** A difference as the merge finds it: the two listing lines, parsed only when shown. */
export interface RawDiff {
  change: DiffChange
  a?: string
  b?: string
}

export interface DiffResult {
  entries: RawDiff[]
  added: number
  removed: number
  changed: number
  same: number
}

export function diffListings(a: readonly string[], b: readonly string[]): DiffResult {
  const out: RawDiff[] = []
  let i = 0
  let j = 0
  let same = 0
  let added = 0
  let removed = 0
  let changed = 0
  while (i < a.length || j < b.length) {
    const la = a[i]
    const lb = b[j]
    if (la !== undefined && la === lb) {
      same++
      i++
      j++
      continue
    }
    // Equal keys with different lines differ in a field the line holds: a change.
    const order = la === undefined || lb === undefined ? 0 : lineOrder(la, lb)
    if (lb === undefined || (la !== undefined && order < 0)) {
      out.push({ change: 'removed', a: la })
      removed++
      i++
    } else if (la === undefined || order > 0) {
      out.push({ change: 'added', b: lb })
      added++
      j++
    } else {
      out.push({ change: 'changed', a: la, b: lb })
      changed++
      i++
      j++
    }
  }
  return { entries: out, added, removed, changed, same }
}

export function describeDiff(d: RawDiff): DiffEntry {
  const a = d.a === undefined ? undefined : parseLine(d.a)
  const b = d.b === undefined ? undefined : parseLine(d.b)
  const path = (a ?? b)?.path ?? ''
  return {
    path,
    change: d.change,
    ...(a ? { a } : {}),
    ...(b ? { b } : {}),
    fields: a && b ? differences(a, b) : [],
  }
}

function differences(a: ListedEntry, b: ListedEntry): DiffField[] {
  const f: DiffField[] = []
  if (a.type !== b.type) f.push('type')
  if (a.size !== b.size) f.push('size')
  if (a.mode !== b.mode) f.push('mode')
  if (a.uid !== b.uid || a.gid !== b.gid) f.push('owner')
  if (a.link !== b.link) f.push('link')
  return f
}
