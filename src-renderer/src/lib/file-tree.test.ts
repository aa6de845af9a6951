import { describe, expect, it } from 'vitest'
import type { FilePage } from '../../../src-preload/api'
import { FileTreeModel } from './file-tree'
import { entry } from '../test/fake-files'

/** A directory of `sizes[dir]` entries, each `dN` a directory, served after a tick as the bridge would. */
function loader(sizes: Record<string, number>, calls: string[] = []) {
  return async (dir: string, offset: number, limit: number): Promise<FilePage> => {
    calls.push(`${dir}@${offset}`)
    await Promise.resolve()
    const total = sizes[dir] ?? 0
    const entries = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) =>
      entry(`${dir === '/' ? '' : dir}/d${offset + k}`, { type: 'dir' }),
    )
    return { dir, total, offset, entries }
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('FileTreeModel', () => {
  it('flattens open directories in place, and loads only the pages asked for', async () => {
    const calls: string[] = []
    const m = new FileTreeModel(
      loader({ '/': 100_000, '/d1': 3, '/d1/d2': 2 }, calls),
      () => {},
      undefined,
      200,
    )
    m.reset()
    await settle()
    expect(m.count).toBe(100_000)
    const r1 = m.row(1)!
    m.toggle(r1)
    await settle()
    expect(m.count).toBe(100_003)
    expect(m.row(2)).toMatchObject({ depth: 1, entry: { path: '/d1/d0' } })
    m.toggle(m.row(4)!) // /d1/d2
    await settle()
    expect(m.count).toBe(100_005)
    expect(m.row(5)).toMatchObject({ depth: 2, entry: { path: '/d1/d2/d0' } })
    expect(m.row(7)).toMatchObject({ depth: 0, entry: { path: '/d2' } })
    expect(m.indexOf(m.row(5)!.dir, 0)).toBe(5)
    // Row 50,000 is on page 250 of the root: that page, and only it, is fetched.
    expect(m.row(50_005)!.entry).toBeUndefined()
    await settle()
    expect(m.row(50_005)).toMatchObject({ depth: 0, entry: { path: '/d50000' } })
    expect(calls).toEqual(['/@0', '/d1@0', '/d1/d2@0', '/@50000'])
    m.close(m.row(1)!.dir, 1)
    expect(m.count).toBe(100_000)
  })

  it('drops answers for a tree it was reset from', async () => {
    let changes = 0
    const m = new FileTreeModel(loader({ '/': 5 }), () => changes++)
    m.reset()
    m.reset()
    await settle()
    expect(m.count).toBe(5)
    expect(changes).toBe(1)
  })
})
