// Comparing two trees is a merge of their stored listings, which only works if both are in the order the
// merge compares by. Names chosen to break that: prefixes of each other, characters on either side of
// '/', control characters and backslashes (escaped in the listing), and non-BMP letters. The merge must
// find what a plain comparison of two path→entry maps finds, and every path must be found in its directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src-main/core/db'
import { describeDiff, diffListings } from '../../src-main/core/files/diff'
import type { LayerEntry } from '../../src-main/core/files/entry'
import { entryAt } from '../../src-main/core/files/listing'
import {
  escapedLine,
  escapePath,
  lineKey,
  lineOrder,
  loadListing,
  pathOrder,
} from '../../src-main/core/files/listing-lines'
import { joinPath } from '../../src-main/core/files/paths'
import { stackLayers } from '../../src-main/core/files/merged-tree'
import { writeTree } from '../../src-main/core/files/tree-store'

const dir = mkdtempSync(join(tmpdir(), 'berth-diff-'))
const db = openDatabase(join(dir, 'berth.db'))
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const name = fc.constantFrom('a', 'a!', 'a-b', 'a.b', 'a\x01', 'a\\', 'a0', 'b', 'ab', 'é', '𝒳', 'a\nb')
const spec = fc.record({
  path: fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
  dir: fc.boolean(),
  size: fc.integer({ min: 0, max: 3 }),
  mode: fc.constantFrom(0o644, 0o755),
})
const tree = fc.array(spec, { maxLength: 14 })

let n = 0
async function stored(specs: { path: string; dir: boolean; size: number; mode: number }[]) {
  const entries: LayerEntry[] = specs.map((s, seq) => ({
    path: s.path,
    type: s.dir ? 'dir' : 'file',
    mode: s.mode,
    uid: 0,
    gid: 0,
    size: s.dir ? 0 : s.size,
    mtime: 0,
    link: '',
    seq,
  }))
  const stacked = stackLayers([entries])
  const t = await writeTree(db, `sha256:tree-${n++}`, ['sha256:x'], stacked, [0])
  const visible = new Map(
    stacked.versions
      .filter((v) => v.until === 1)
      .map((v) => [joinPath(v.dir, v.name), `${v.type} ${v.size} ${v.mode}`]),
  )
  // Every path of the tree is found by its name in its directory's row (rows are ordered by escaped name).
  for (const p of visible.keys()) expect(entryAt(db, t, p, {})?.path).toBe(p)
  return { lines: loadListing(db, t.id), visible }
}

describe('comparing two trees', () => {
  it('finds exactly what comparing two path maps finds, whatever the names', async () => {
    await fc.assert(
      fc.asyncProperty(tree, tree, async (x, y) => {
        const a = await stored(x)
        const b = await stored(y)
        const r = diffListings(a.lines, b.lines)
        const got = r.entries
          .map(describeDiff)
          .map((d) => `${d.change} ${d.path}`)
          .sort()
        const want: string[] = []
        for (const [p, e] of a.visible) {
          if (!b.visible.has(p)) want.push(`removed ${p}`)
          else if (b.visible.get(p) !== e) want.push(`changed ${p}`)
        }
        for (const p of b.visible.keys()) if (!a.visible.has(p)) want.push(`added ${p}`)
        expect(got).toEqual(want.sort())
        expect(r.same + r.changed + r.removed).toBe(a.visible.size)
      }),
      { numRuns: 300 },
    )
  })

  it('orders two lines in place as their paths order', () => {
    const line = fc
      .tuple(fc.array(name, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 }))
      .map(([p, size]) =>
        escapedLine(escapePath(p.join('/')), { type: 'file', mode: 0o644, uid: 0, gid: 0, size, link: '' }),
      )
    fc.assert(
      fc.property(line, line, (a, b) => {
        expect(Math.sign(lineOrder(a, b))).toBe(Math.sign(pathOrder(lineKey(a), lineKey(b))))
      }),
      { numRuns: 2000 },
    )
  })
})
