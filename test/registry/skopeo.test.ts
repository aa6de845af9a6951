// Interoperability with skopeo (where installed): what Berth pushes, skopeo reads with the same
// digest; what skopeo pushes from an OCI layout, Berth pulls with the same digest and bytes.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pull } from '../../src-main/core/transfer/registry/pull'
import { push } from '../../src-main/core/transfer/registry/push'
import { multiPlatformImage, writeOCILayoutDir } from '../fixtures/images'
import { hasTool } from '../transfer/tools'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from './support/registry'
import { blobBytes, loadFixture, openStores, type Stores } from './support/stores'

const run = promisify(execFile)
const present = hasRegistry() && hasTool('skopeo')

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], {
    maxBuffer: 64 << 20,
    encoding: 'buffer',
  })
  return stdout.toString('utf8')
}

describe.skipIf(!present)('skopeo and Berth through the same registry', () => {
  let reg: RunningRegistry
  let tmp: { dir: string; remove: () => void }
  const opened: Stores[] = []
  const stores = (): Stores => {
    const s = openStores()
    opened.push(s)
    return s
  }
  beforeAll(async () => {
    reg = await startRegistry()
    tmp = tempDir('berth-skopeo-')
  })
  afterAll(async () => {
    for (const s of opened) s.close()
    await reg?.stop()
    tmp?.remove()
  })

  it('skopeo inspects what Berth pushed and sees the same digests', async () => {
    const fx = multiPlatformImage({ seed: 'to-skopeo', platforms: ['linux/amd64', 'linux/arm64'] })
    const s = stores()
    await loadFixture(s, fx, 'local/to-skopeo:1')
    await push({ ...s, name: 'local/to-skopeo:1', ref: `${reg.host}/berth/pushed:1` })
    const raw = await run(
      'skopeo',
      ['--insecure-policy', 'inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/berth/pushed:1`],
      {
        encoding: 'buffer',
      },
    )
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(fx.target.digest)
    const arm = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--override-os',
        'linux',
        '--override-arch',
        'arm64',
        `docker://${reg.host}/berth/pushed:1`,
      ),
    ) as { Digest: string; Layers: string[] }
    const armImage = fx.images.find((i) => i.platform.architecture === 'arm64')!
    // skopeo reports the digest the reference resolves to (the index) and the chosen platform's layers.
    expect(arm.Digest).toBe(fx.target.digest)
    expect(arm.Layers).toEqual(armImage.layers.map((l) => l.desc.digest))
  })

  it('Berth pulls what skopeo pushed from an OCI layout, with the same digest and bytes', async () => {
    const fx = multiPlatformImage({ seed: 'from-skopeo', platforms: ['linux/amd64', 'linux/arm/v7'] })
    const layout = join(tmp.dir, 'layout')
    writeOCILayoutDir(layout, [{ fixture: fx, name: 'example.com/from/skopeo:v1' }])
    await skopeo(
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout}:v1`,
      `docker://${reg.host}/skopeo/pushed:v1`,
    )
    const s = stores()
    const { image } = await pull({ ...s, ref: `${reg.host}/skopeo/pushed:v1`, platforms: 'all' })
    expect(image.target.digest).toBe(fx.target.digest)
    for (const [d, data] of fx.blobs) expect(blobBytes(s, d).equals(Buffer.from(data))).toBe(true)
  })
})
