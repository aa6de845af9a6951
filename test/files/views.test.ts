// Views of the demo image's stacked tree, as the Files tab and `berth images files` read them: the merged
// tree, each layer's changes as dive marks them, wasted space and efficiency, and the layer index shared
// by images with the same base.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src-main/core/db'
import { indexImageFiles } from '../../src-main/core/files/index-image'
import { entryAt, listDir, subtree, type TreeRow } from '../../src-main/core/files/listing'
import { FLAG_IMPLICIT } from '../../src-main/core/files/merged-tree'
import type { StoredTree } from '../../src-main/core/files/tree-store'
import { stackedImage } from '../fixtures/layers'
import { BASE, BIG, DEMO_EMPTY, DEMO_LAYERS, LAYER1, LONG_FILE } from './demo-image'
import { imageLayers, memoryProvider } from './helpers'

let dir: string
let db: Database
let tree: StoredTree
const fx = stackedImage('docker.io/library/demo:1', DEMO_LAYERS, { empty: DEMO_EMPTY })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-files-'))
  db = openDatabase(join(dir, 'berth.db'))
  tree = await indexImageFiles(db, memoryProvider(fx.blobs), imageLayers(fx.images[0]))
})

afterAll(() => {
  db?.close()
  rmSync(dir, { recursive: true, force: true })
})

const names = (rows: TreeRow[]) =>
  rows.map((r) => (r.change ? `${r.change[0].toUpperCase()} ${r.name}` : r.name))
const page = { offset: 0, limit: 1000 }

describe('the merged tree', () => {
  it('lists a directory page by name, with totals', () => {
    const root = listDir(db, tree, '', {}, page)
    expect(names(root.rows)).toEqual(['dev', 'etc', 'home', 'opt', 'run', 'srv', 'tmp', 'usr', 'var'])
    expect(root.total).toBe(9)
    const two = listDir(db, tree, '', {}, { offset: 2, limit: 2 })
    expect(names(two.rows)).toEqual(['home', 'opt'])
    expect(two.total).toBe(9)
  })

  it('applies whiteouts, opaque directories and replacements', () => {
    expect(names(listDir(db, tree, 'var/cache/old', {}, page).rows)).toEqual(['c'])
    expect(names(listDir(db, tree, 'opt', {}, page).rows)).toEqual(['app2'])
    expect(entryAt(db, tree, 'opt/app2', {})).toMatchObject({ type: 'file', size: 11 })
    expect(entryAt(db, tree, 'usr/bin/suid', {})).toMatchObject({ type: 'dir', mode: 0o700 })
    expect(entryAt(db, tree, 'var/cache/big.bin', {})).toMatchObject({ size: 10, layer: 2 })
    // The whiteout of tmp/keep.txt is in the layer that adds it: it removes nothing.
    expect(entryAt(db, tree, 'tmp/keep.txt', {})).toMatchObject({ type: 'file', layer: 1 })
  })

  it('resolves hardlinks within the image, across layers too', () => {
    expect(entryAt(db, tree, 'usr/bin/tool-hardlink', {})).toMatchObject({
      type: 'hardlink',
      link: 'usr/bin/tool',
      size: 3000,
      mode: 0o755,
    })
    const passwd = entryAt(db, tree, 'etc/passwd', {}) as TreeRow
    expect(entryAt(db, tree, 'etc/passwd-link', {})).toMatchObject({
      type: 'hardlink',
      size: passwd.size,
      srcLayer: 1,
      srcSeq: passwd.srcSeq,
    })
  })

  it('keeps owners, special modes, devices, PAX long names and implicit parents', () => {
    expect(entryAt(db, tree, 'var/cache', {})).toMatchObject({ uid: 1000, gid: 1000, mode: 0o750 })
    expect(entryAt(db, tree, 'tmp', {})).toMatchObject({ mode: 0o1777 })
    expect(entryAt(db, tree, 'dev/null', {})).toMatchObject({ type: 'char', mode: 0o666 })
    expect(entryAt(db, tree, 'run/pipe', {})).toMatchObject({ type: 'fifo' })
    expect(entryAt(db, tree, LONG_FILE, {})).toMatchObject({ type: 'file', size: 5 })
    const srv = entryAt(db, tree, 'srv', {}) as TreeRow
    expect(srv).toMatchObject({ type: 'dir', mode: 0o755 })
    expect(srv.flags & FLAG_IMPLICIT).toBeTruthy()
  })

  it('refuses to list what is not a directory', () => {
    expect(() => listDir(db, tree, 'etc/passwd', {}, page)).toThrow(/not a directory/)
    expect(() => listDir(db, tree, 'opt/app', {}, page)).toThrow(/not a directory/)
  })
})

describe("a layer's view", () => {
  it('marks what the layer added, modified and removed, the removed where they were', () => {
    const cache = listDir(db, tree, 'var/cache', { layer: 1 }, page)
    expect(names(cache.rows)).toEqual(['R big.bin', 'M old'])
    const old = listDir(db, tree, 'var/cache/old', { layer: 1 }, page)
    expect(names(old.rows)).toEqual(['R a', 'R b', 'A c'])
    expect(names(listDir(db, tree, 'opt', { layer: 1 }, page).rows)).toEqual(['R app', 'A app2'])
    // Inside a removed directory, everything is removed.
    expect(names(listDir(db, tree, 'opt/app', { layer: 1 }, page).rows)).toEqual(['R config.json', 'R lib'])
  })

  it('shows the tree as of that layer: later layers are not there yet', () => {
    const opt = listDir(db, tree, 'opt', { layer: 0 }, page)
    expect(names(opt.rows)).toEqual(['A app'])
    expect(entryAt(db, tree, 'var/cache/big.bin', { layer: 0 })).toMatchObject({ size: BIG.length })
    expect(entryAt(db, tree, 'home', { layer: 1 })).toBeUndefined()
  })

  it('with only changes, keeps the changed entries and the directories leading to them', () => {
    const root = listDir(db, tree, '', { layer: 2, onlyChanges: true }, page)
    expect(names(root.rows)).toEqual(['etc', 'A home', 'opt', 'var'])
    expect(root.rows.find((r) => r.name === 'etc')?.touched).toBe(true)
    const etc = listDir(db, tree, 'etc', { layer: 2, onlyChanges: true }, page)
    expect(names(etc.rows)).toEqual(['A passwd-link', 'M shadow'])
    const full = listDir(db, tree, 'etc', { layer: 2 }, page)
    expect(names(full.rows)).toEqual(['passwd', 'A passwd-link', 'M shadow'])
  })
})

describe('layer statistics and wasted space', () => {
  it('counts each layer as docker history and dive do', () => {
    const [l0, l1, l2] = tree.stats.layers
    expect(l0.entries).toBe(BASE.length)
    expect(l0.modified).toBe(0)
    expect(l0.removed).toBe(0)
    // Every entry but the whiteouts and the hardlink adds a path; srv/ and srv/implicit/ are created.
    expect(l0.added).toBe(BASE.length + 2)
    expect(l1.entries).toBe(LAYER1.length)
    // big.bin, old/a, old/b, opt/app with config.json, lib/ and lib/x.so
    expect(l1.removed).toBe(7)
    expect(l1.removedBytes).toBe(BIG.length + 2 + 3 + 16 + 1200)
    // etc/passwd, var/cache/old, usr/bin/suid
    expect(l1.modified).toBe(3)
    expect(l2.modified).toBe(2)
    expect(l2.removed).toBe(1)
    expect(l0.tarBytes).toBe(fx.images[0].layers[0].uncompressed.length)
  })

  it('totals the bytes no final path shows, by path, and the efficiency dive reports', () => {
    const wasted = db
      .prepare('SELECT path, bytes, versions FROM file_wasted WHERE tree = ? ORDER BY bytes DESC, path')
      .all(tree.id)
    expect(wasted).toEqual([
      { path: 'var/cache/big.bin', bytes: BIG.length, versions: 1 },
      { path: 'opt/app/lib/x.so', bytes: 1200, versions: 1 },
      { path: 'etc/passwd', bytes: 30, versions: 1 },
      { path: 'etc/shadow', bytes: 19, versions: 1 },
      { path: 'opt/app/config.json', bytes: 16, versions: 1 },
      { path: 'usr/bin/suid', bytes: 5, versions: 1 },
      { path: 'var/cache/old/b', bytes: 3, versions: 1 },
      { path: 'opt/app2/x', bytes: 2, versions: 1 },
      { path: 'var/cache/old/a', bytes: 2, versions: 1 },
    ])
    const all = [...fx.images[0].layers].reduce((n, l) => n + fileBytes(l.uncompressed), 0)
    const wastedBytes = BIG.length + 1200 + 30 + 19 + 16 + 5 + 3 + 2 + 2
    expect(tree.stats.totals).toMatchObject({ allBytes: all, wastedBytes })
    expect(tree.stats.totals.efficiency).toBeCloseTo(1 - wastedBytes / all, 12)
    expect(tree.stats.totals.entries).toBe(subtree(db, tree, '', {}).length)
  })
})

describe('shared layers', () => {
  it('indexes a base layer once for every image that has it, and reuses a whole tree', async () => {
    const other = stackedImage('docker.io/library/other:1', [
      DEMO_LAYERS[0],
      { entries: [{ path: 'other.txt', data: 'other\n' }] },
    ])
    const before = db.prepare('SELECT count(*) FROM file_layers').pluck().get()
    const t2 = await indexImageFiles(db, memoryProvider(other.blobs), imageLayers(other.images[0]))
    expect(db.prepare('SELECT count(*) FROM file_layers').pluck().get()).toBe((before as number) + 1)
    expect(t2.id).not.toBe(tree.id)
    const again = await indexImageFiles(db, memoryProvider(fx.blobs), imageLayers(fx.images[0]))
    expect(again.id).toBe(tree.id)
  })
})

/** Bytes of regular files in a tar, read with GNU tar's view of it (the sizes in the headers). */
function fileBytes(tar: Buffer): number {
  let n = 0
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8)
    const type = String.fromCharCode(h[156])
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/, '')
    if ((type === '0' || type === '\0') && !name.split('/').pop()?.startsWith('.wh.')) n += size
    off += 512 + Math.ceil(size / 512) * 512
  }
  return n
}
