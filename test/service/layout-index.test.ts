import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openBerth } from '../../src-main/service/berth'
import { importImage } from '../../src-main/service/import'
import { keepLayoutIndex } from '../../src-main/service/layout-index'
import { singlePlatformImage, writeOCIArchive } from '../fixtures/images'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('keepLayoutIndex', () => {
  it('rewrites index.json once writes go quiet, not on every write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-keeper-'))
    dirs.push(dir)
    const archive = join(dir, 'a.tar')
    writeOCIArchive(archive, [{ fixture: singlePlatformImage({ name: 'docker.io/library/k:1' }) }])
    const b = openBerth({ root: join(dir, 'root') })
    const keeper = keepLayoutIndex(b, 50)
    const names = () =>
      (
        JSON.parse(readFileSync(join(b.storeRoot, 'index.json'), 'utf8')) as {
          manifests: { annotations: Record<string, string> }[]
        }
      ).manifests.map((m) => m.annotations['io.containerd.image.name'])
    await importImage(b, 'default', archive)
    keeper.poke()
    expect(names()).toEqual([])
    await new Promise((r) => setTimeout(r, 300))
    expect(names()).toEqual(['docker.io/library/k:1'])
    keeper.stop()
    b.close()
  })
})

describe('Berth.close and index.json', () => {
  it('rebuilds index.json only after an image was created, deleted or retargeted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-close-'))
    dirs.push(dir)
    const archive = join(dir, 'a.tar')
    const fx = singlePlatformImage({ name: 'docker.io/library/k:1' })
    writeOCIArchive(archive, [{ fixture: fx }])
    const root = join(dir, 'root')
    const file = () => join(root, 'store', 'index.json')
    const listed = () =>
      (
        JSON.parse(readFileSync(file(), 'utf8')) as { manifests: { annotations: Record<string, string> }[] }
      ).manifests.map((m) => m.annotations['io.containerd.image.name'])
    let b = openBerth({ root })
    await importImage(b, 'default', archive)
    b.close()
    expect(listed()).toEqual(['docker.io/library/k:1'])

    // A marker in the file shows whether close() rebuilt it.
    const marked = () => writeFileSync(file(), JSON.stringify({ schemaVersion: 2, manifests: [], marker: 1 }))
    const rebuilt = () => !readFileSync(file(), 'utf8').includes('marker')
    marked()
    openBerth({ root }).close() // a read-only command
    expect(rebuilt()).toBe(false)
    b = openBerth({ root })
    b.images.update(
      'default',
      { name: 'docker.io/library/k:1', labels: { a: 'b' }, target: fx.target },
      'labels.a',
    )
    b.close() // labels are not in index.json
    expect(rebuilt()).toBe(false)
    b = openBerth({ root })
    b.images.create('default', { name: 'docker.io/library/k:2', labels: {}, target: fx.target })
    b.close()
    expect(rebuilt()).toBe(true)
    expect(listed()).toEqual(['docker.io/library/k:1', 'docker.io/library/k:2'])
    marked()
    b = openBerth({ root })
    b.images.delete('default', 'docker.io/library/k:1')
    b.close()
    expect(listed()).toEqual(['docker.io/library/k:2'])
  })
})
