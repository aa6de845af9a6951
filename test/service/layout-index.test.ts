import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
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
