// `berth push NAME REF --platform P` of a multi-platform image (issue 14 item 4), through the CLI against
// the real docker-registry, read back with skopeo: one platform pushes that manifest alone (as
// `ctr push --platform` does), several push an index of the chosen manifests (with their attestations,
// nested indexes pruned), and nothing the registry stores refers to a blob it does not have.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBerth } from '../../src-main/service/berth'
import { multiPlatformImage, type ImageFixture } from '../fixtures/images'
import { hasTool } from '../transfer/tools'
import { berth } from './support/cli'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from './support/registry'
import { loadFixture } from './support/stores'

const run = promisify(execFile)
const present = hasRegistry() && hasTool('skopeo')

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

interface Doc {
  mediaType?: string
  manifests?: { digest: string; platform?: { architecture: string } }[]
}

describe.skipIf(!present)('push of a platform subset (CLI, docker-registry, skopeo)', () => {
  let reg: RunningRegistry
  let tmp: { dir: string; remove: () => void }
  let fx: ImageFixture
  let nested: ImageFixture
  let root: string
  const manifestOf = (f: ImageFixture, arch: string, variant?: string) =>
    f.images.find((i) => i.platform.architecture === arch && i.platform.variant === variant)!
  const attestationOf = (f: ImageFixture, subject: string) =>
    f.attestations.find((a) => a.annotations?.['vnd.docker.reference.digest'] === subject)!

  /** The document a reference names in the registry, as skopeo reads it. */
  async function raw(ref: string): Promise<{ digest: string; doc: Doc }> {
    const { stdout } = await run(
      'skopeo',
      ['--insecure-policy', 'inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/${ref}`],
      { encoding: 'buffer' },
    )
    return { digest: sha256(stdout), doc: JSON.parse(stdout.toString('utf8')) as Doc }
  }

  /** skopeo copies every platform into an OCI layout: it fails on any blob the registry lacks. */
  async function copiesWhole(ref: string, dest: string): Promise<string> {
    await run('skopeo', [
      '--insecure-policy',
      'copy',
      '--all',
      '--src-tls-verify=false',
      `docker://${reg.host}/${ref}`,
      `oci:${join(tmp.dir, dest)}:x`,
    ])
    const index = JSON.parse(readFileSync(join(tmp.dir, dest, 'index.json'), 'utf8')) as Doc
    return index.manifests![0].digest
  }

  const blobInRegistry = async (repo: string, digest: string): Promise<number> =>
    (await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status

  beforeAll(async () => {
    reg = await startRegistry()
    tmp = tempDir('berth-push-platforms-')
    fx = multiPlatformImage({
      seed: 'push-platforms',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      attestation: true,
    })
    nested = multiPlatformImage({
      seed: 'push-nested',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      nested: 1,
    })
    root = join(tmp.dir, 'root')
    const b = openBerth({ root })
    try {
      const s = { cs: b.content, images: b.images, ns: 'default' }
      await loadFixture(s, fx, 'local/multi:1')
      await loadFixture(s, nested, 'local/nested:1')
    } finally {
      b.close()
    }
  })
  afterAll(async () => {
    await reg?.stop()
    tmp?.remove()
  })

  it('pushes one platform as its manifest alone', async () => {
    const arm = manifestOf(fx, 'arm64')
    const r = await berth(
      '--root',
      root,
      'push',
      '--platform',
      'linux/arm64',
      'local/multi:1',
      `${reg.host}/one/app:1`,
    )
    expect(r.err).not.toMatch(/^berth:/m)
    expect(r.code).toBe(0)
    expect(r.out).toContain(arm.manifest.desc.digest)
    const got = await raw('one/app:1')
    expect(got.digest).toBe(arm.manifest.desc.digest)
    expect(got.doc.manifests).toBeUndefined()
    expect(await copiesWhole('one/app:1', 'one')).toBe(arm.manifest.desc.digest)
    expect(await blobInRegistry('one/app', manifestOf(fx, 'amd64').layers[0].desc.digest)).toBe(404)
  })

  it('pushes several platforms as an index of the chosen manifests and their attestations', async () => {
    const amd = manifestOf(fx, 'amd64').manifest.desc.digest
    const v7 = manifestOf(fx, 'arm', 'v7').manifest.desc.digest
    const r = await berth(
      '--root',
      root,
      '--json',
      'push',
      '--platform',
      'linux/amd64',
      '--platform',
      'linux/arm/v7',
      'local/multi:1',
      `${reg.host}/two/app:1`,
    )
    expect(r.err).not.toMatch(/^berth:/m)
    expect(r.code).toBe(0)
    const pushed = JSON.parse(r.out) as { desc: { digest: string } }
    const got = await raw('two/app:1')
    expect(got.digest).toBe(pushed.desc.digest)
    expect(got.digest).not.toBe(fx.target.digest)
    expect(got.doc.mediaType).toBe(fx.target.mediaType)
    expect(got.doc.manifests!.map((m) => m.digest)).toEqual([
      amd,
      v7,
      attestationOf(fx, amd).digest,
      attestationOf(fx, v7).digest,
    ])
    expect(await copiesWhole('two/app:1', 'two')).toBe(got.digest)
    const arm = manifestOf(fx, 'arm64')
    expect(await blobInRegistry('two/app', arm.layers[0].desc.digest)).toBe(404)
    expect(await blobInRegistry('two/app', arm.config.desc.digest)).toBe(404)
  })

  it('prunes nested indexes the same way, and names a platform the image lacks', async () => {
    const missing = await berth(
      '--root',
      root,
      'push',
      '--platform',
      'linux/amd64',
      '--platform',
      'linux/riscv64',
      'local/nested:1',
      `${reg.host}/nested/app:1`,
    )
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(
      /no match for platform linux\/riscv64 .*\(it has linux\/amd64, linux\/arm64, linux\/arm\/v7\)/,
    )
    await expect(raw('nested/app:1')).rejects.toThrow()

    const r = await berth(
      '--root',
      root,
      'push',
      '--platform',
      'linux/amd64,linux/arm64',
      'local/nested:1',
      `${reg.host}/nested/app:1`,
    )
    expect(r.err).not.toMatch(/^berth:/m)
    expect(r.code).toBe(0)
    const outer = await raw('nested/app:1')
    expect(outer.doc.manifests).toHaveLength(1)
    const inner = await raw(`nested/app@${outer.doc.manifests![0].digest}`)
    expect(inner.doc.manifests!.map((m) => m.digest)).toEqual([
      manifestOf(nested, 'amd64').manifest.desc.digest,
      manifestOf(nested, 'arm64').manifest.desc.digest,
    ])
    // Berth pulls every platform of it back: everything it names is in the registry.
    const back = join(tmp.dir, 'nested-back')
    const pulled = await berth('--root', back, 'pull', '--all-platforms', `${reg.host}/nested/app:1`)
    expect(pulled.err).not.toMatch(/^berth:/m)
    expect(pulled.code).toBe(0)
  })

  it('pushes a single-platform pull of a multi-platform image with --platform', async () => {
    const other = join(tmp.dir, 'partial')
    const pulled = await berth('--root', other, 'pull', '--platform', 'linux/arm/v7', `${reg.host}/two/app:1`)
    expect(pulled.code).toBe(0)
    const all = await berth('--root', other, 'push', `${reg.host}/two/app:1`, `${reg.host}/partial/app:1`)
    expect(all.code).toBe(1)
    expect(all.err).toMatch(/not in the local store/)
    const r = await berth(
      '--root',
      other,
      'push',
      '--platform',
      'linux/arm/v7',
      `${reg.host}/two/app:1`,
      `${reg.host}/partial/app:1`,
    )
    expect(r.err).not.toMatch(/^berth:/m)
    expect(r.code).toBe(0)
    const v7 = manifestOf(fx, 'arm', 'v7').manifest.desc.digest
    expect((await raw('partial/app:1')).digest).toBe(v7)
    expect(await copiesWhole('partial/app:1', 'partial')).toBe(v7)
  })
})
