// Stacking checked against the overlay rules written the plainest way possible — a map from path to entry,
// whiteouts deleting by prefix — over thousands of random layer stacks with colliding names, so every
// order of replacing, removing and re-creating paths gets tried, including what a tar rarely does.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FileType, LayerEntry } from '../../src-main/core/files/entry'
import { stackLayers } from '../../src-main/core/files/merged-tree'
import { ancestors, joinPath } from '../../src-main/core/files/paths'

type Kind = Exclude<FileType, 'hardlink' | 'char' | 'block' | 'fifo'>

const name = fc.constantFrom('a', 'b', 'c')
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'))
const entry = fc.record({
  path,
  type: fc.constantFrom<Kind>('file', 'dir', 'symlink', 'whiteout', 'opaque', 'file', 'dir'),
  size: fc.integer({ min: 0, max: 9 }),
})
const layers = fc.array(fc.array(entry, { maxLength: 8 }), { minLength: 1, maxLength: 4 })

function asEntries(specs: { path: string; type: Kind; size: number }[]): LayerEntry[] {
  return specs.map((s, seq) => ({
    path: s.path,
    type: s.type,
    mode: s.type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: s.type === 'file' ? s.size : 0,
    mtime: 0,
    link: s.type === 'symlink' ? 'x' : '',
    seq,
  }))
}

/** The rules as the image spec states them, on a flat map. */
function model(stack: LayerEntry[][]): Map<string, { type: string; size: number; layer: number }> {
  const m = new Map<string, { type: string; size: number; layer: number }>()
  const dropBelow = (p: string) => {
    for (const k of [...m.keys()]) if (p === '' || k.startsWith(`${p}/`)) m.delete(k)
  }
  stack.forEach((entries, layer) => {
    for (const e of entries) {
      if (e.type === 'whiteout') {
        m.delete(e.path)
        dropBelow(e.path)
      } else if (e.type === 'opaque') {
        if (e.path === '' || m.get(e.path)?.type === 'dir') dropBelow(e.path)
      }
    }
    for (const e of entries) {
      if (e.type === 'whiteout' || e.type === 'opaque') continue
      for (const a of ancestors(e.path)) {
        const cur = m.get(a)
        if (cur?.type !== 'dir') m.set(a, { type: 'dir', size: 0, layer })
      }
      const old = m.get(e.path)
      if (old && !(old.type === 'dir' && e.type === 'dir')) dropBelow(e.path)
      m.set(e.path, { type: e.type, size: e.size, layer })
    }
  })
  return m
}

describe('stacking', () => {
  it('gives the merged tree the overlay rules give, for any stack of layers', () => {
    fc.assert(
      fc.property(layers, (specs) => {
        const stack = specs.map(asEntries)
        const s = stackLayers(stack)
        const top = stack.length
        const ours = new Map(
          s.versions
            .filter((v) => v.until === top)
            .map((v) => [joinPath(v.dir, v.name), { type: v.type, size: v.size, layer: v.first }]),
        )
        const theirs = model(stack)
        expect(Object.fromEntries([...ours].sort())).toEqual(Object.fromEntries([...theirs].sort()))
      }),
      { numRuns: 1500 },
    )
  })

  it("counts every version once: visible, or wasted, or a layer's own removal", () => {
    fc.assert(
      fc.property(layers, (specs) => {
        const stack = specs.map(asEntries)
        const s = stackLayers(stack)
        // Every byte written is either in the merged tree or wasted.
        const visible = s.versions
          .filter((v) => v.until === stack.length && v.type === 'file')
          .reduce((n, v) => n + v.size, 0)
        expect(visible + s.totals.wastedBytes).toBe(s.totals.allBytes)
        // No version is visible in an empty range, and none outlives the stack.
        for (const v of s.versions) expect(v.first < v.until && v.until <= stack.length).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})
