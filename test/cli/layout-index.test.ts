// The store's index.json (a projection of the image records for other OCI tools) is refreshed when a
// command wrote something, and left alone by one that only read: rebuilding it stats every image's
// target blob, which at 10,000 images was most of `berth images ls -q`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ociArchive, singlePlatformImage } from '../fixtures/images'
import { berth } from './cli'

const app = singlePlatformImage({ name: 'docker.io/library/app:1', seed: 'layout-index' })
let dir: string
let root: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-index-'))
  root = join(dir, 'root')
  writeFileSync(join(dir, 'app.tar'), ociArchive([app]))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('index.json after a CLI command', () => {
  it('is written by a command that changed the images', () => {
    expect(berth(root, ['images', 'import', join(dir, 'app.tar')]).code).toBe(0)
    expect(readFileSync(join(root, 'store', 'index.json'), 'utf8')).toContain('docker.io/library/app:1')
  })

  it('is not rebuilt by commands that only read', () => {
    // A stale projection: read-only commands leave it as it is; the next write of a name or a target
    // brings it up to date.
    const index = join(root, 'store', 'index.json')
    const stale = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
    writeFileSync(index, stale)
    for (const argv of [
      ['images', 'ls'],
      ['images', 'ls', '-q'],
      ['images', 'check'],
      ['content', 'ls'],
    ]) {
      expect(berth(root, argv).code).toBe(0)
      expect(readFileSync(index, 'utf8'), argv.join(' ')).toBe(stale)
    }
    // A label is not in index.json: relabelling leaves it too. Adding a name rebuilds it.
    expect(berth(root, ['images', 'label', 'app:1', 'a=b']).code).toBe(0)
    expect(readFileSync(index, 'utf8')).toBe(stale)
    expect(berth(root, ['images', 'tag', 'app:1', 'app:2']).code).toBe(0)
    expect(readFileSync(index, 'utf8')).toContain('docker.io/library/app:1')
    expect(readFileSync(index, 'utf8')).toContain('docker.io/library/app:2')
  })
})
