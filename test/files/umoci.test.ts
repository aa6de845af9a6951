// The merged tree must be the filesystem an unpacker makes. The reference is Debian's umoci: the same
// generated image is written as an OCI layout, unpacked with `umoci raw unpack --rootless`, and the
// unpacked directory walked; the file list, types, modes, sizes and link targets must be equal.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src-main/core/db'
import { indexImageFiles } from '../../src-main/core/files/index-image'
import { subtree } from '../../src-main/core/files/listing'
import type { StoredTree } from '../../src-main/core/files/tree-store'
import { writeOCILayoutDir } from '../fixtures/archives'
import { stackedImage } from '../fixtures/layers'
import { DEMO_EMPTY, DEMO_LAYERS } from './demo-image'
import { imageLayers, memoryProvider, seenOf, toolMissing, walkDir } from './helpers'

const missing = toolMissing('umoci')
if (missing) console.log(`[files] umoci comparison skipped: ${missing}`)

describe.skipIf(missing !== null)('the merged tree equals what umoci unpacks', () => {
  let dir: string
  let db: Database
  let tree: StoredTree
  // umoci 0.4 reads gzip and uncompressed layers only (zstd is covered where Berth reads it alone).
  const layers = DEMO_LAYERS.map((l) => ({
    ...l,
    compression: l.compression === 'zstd' ? 'gzip' : l.compression,
  }))
  const fx = stackedImage('docker.io/library/demo:1', layers, { empty: DEMO_EMPTY })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-umoci-'))
    writeOCILayoutDir(join(dir, 'layout'), [fx])
    const r = spawnSync(
      'umoci',
      ['raw', 'unpack', '--rootless', '--image', `${join(dir, 'layout')}:1`, join(dir, 'rootfs')],
      { encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    db = openDatabase(join(dir, 'berth.db'))
    tree = await indexImageFiles(db, memoryProvider(fx.blobs), imageLayers(fx.images[0]))
  })

  afterAll(() => {
    db?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('has the same paths, types, modes, sizes and link targets', () => {
    // Rootless, umoci cannot mknod: it leaves an empty file where a device node goes (and says so).
    const ours = seenOf(subtree(db, tree, '', {})).map((e) =>
      e.type === 'char' || e.type === 'block' ? { ...e, type: 'file' } : e,
    )
    const theirs = walkDir(join(dir, 'rootfs'))
    expect(ours.map((e) => e.path)).toEqual(theirs.map((e) => e.path))
    expect(ours).toEqual(theirs)
  })
})
