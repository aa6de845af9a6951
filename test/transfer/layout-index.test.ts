// The store directory is an OCI layout other tools open by image name: index.json follows the database.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { digestOf } from '../../src-main/core/digest'
import { openBerth } from '../../src-main/service/berth'
import { importImage } from '../../src-main/service/import'
import { removeImages } from '../../src-main/service/remove'
import { multiPlatformImage, writeOCIArchive } from '../fixtures/images'
import { hasTool } from './tools'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-layout-'))
  dirs.push(dir)
  const fx = multiPlatformImage({ name: 'docker.io/library/shelf:2', attestation: true })
  const archive = join(dir, 'shelf.tar')
  writeOCIArchive(archive, [{ fixture: fx }])
  return { dir, fx, archive, root: join(dir, 'root') }
}

const index = (root: string) =>
  JSON.parse(readFileSync(join(root, 'store', 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations: Record<string, string> }[]
  }

describe('the store as an OCI layout', () => {
  it('index.json names every image once the store is closed, and forgets removed ones', async () => {
    const { fx, archive, root } = setup()
    let b = openBerth({ root })
    await importImage(b, 'default', archive, { allPlatforms: true })
    b.close()
    expect(index(root).manifests).toEqual([
      {
        mediaType: fx.target.mediaType,
        digest: fx.target.digest,
        size: fx.target.size,
        annotations: {
          'io.containerd.image.name': 'docker.io/library/shelf:2',
          'org.opencontainers.image.ref.name': 'docker.io/library/shelf:2',
          'io.containerd.namespace': 'default',
        },
      },
    ])
    b = openBerth({ root })
    removeImages(b, 'default', ['docker.io/library/shelf:2'], { sync: true })
    b.close()
    expect(index(root).manifests).toEqual([])
  })

  it.skipIf(!hasTool('skopeo'))(
    'skopeo opens an image in the store by name, with the same digest',
    async () => {
      const { fx, archive, root } = setup()
      const b = openBerth({ root })
      await importImage(b, 'default', archive, { allPlatforms: true })
      b.close()
      const raw = execFileSync('skopeo', [
        'inspect',
        '--raw',
        `oci:${join(root, 'store')}:docker.io/library/shelf:2`,
      ])
      expect(JSON.parse(raw.toString('utf8')).manifests.length).toBe(
        fx.images.length + fx.attestations.length,
      )
      expect(digestOf(raw)).toBe(fx.target.digest)
    },
  )
})
