// Import and export as a user meets them through the real `berth` CLI: a re-import keeps the labels set
// since, a platform matching nothing is refused, a plain import keeps exactly what `images check` then
// counts (so the next GC removes nothing), a --base-name matching nothing says what the archive has, and
// an export of a partly missing image holds only complete platforms, readable by skopeo and by Berth.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { format, hostPlatform, ordered } from '../../src-main/core/platforms'
import { openBerth } from '../../src-main/service/berth'
import { multiPlatformImage, ociArchive, singlePlatformImage } from '../fixtures/images'
import { namedButAbsent, tarEntries } from '../transfer/helpers'
import { hasTool, skopeoConfig } from '../transfer/tools'
import { berth } from './cli'

let dir: string
const NAME = 'docker.io/library/xfer:1'
const fx = multiPlatformImage({ name: NAME, attestation: true })
let roots = 0
const newRoot = () => join(dir, `root-${roots++}`)
const archive = () => join(dir, 'fx.tar')

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-xfer-'))
  writeFileSync(archive(), ociArchive([fx]))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What the store holds, read in this process (the CLI did the work; reading back needs no spawn). */
function stored(root: string): {
  images: { name: string; digest: string; labels: Record<string, string> }[]
  content: string[]
} {
  const b = openBerth({ root })
  try {
    return {
      images: b.images
        .list('default')
        .map((i) => ({ name: i.name, digest: i.target.digest, labels: i.labels })),
      content: b.db.prepare('SELECT digest FROM content ORDER BY digest').pluck().all() as string[],
    }
  } finally {
    b.close()
  }
}

const json = (root: string, args: string[]) => {
  const r = berth(root, ['--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('berth images import', () => {
  it('a re-import updates the target and keeps the labels; --label replaces them', () => {
    const root = newRoot()
    const first = singlePlatformImage({ name: NAME, seed: 'first' })
    const second = singlePlatformImage({ name: NAME, seed: 'second' })
    writeFileSync(join(dir, 'first.tar'), ociArchive([first]))
    writeFileSync(join(dir, 'second.tar'), ociArchive([second]))
    expect(berth(root, ['images', 'import', join(dir, 'first.tar')]).code).toBe(0)
    expect(berth(root, ['images', 'label', NAME, 'env=prod', 'owner=me']).code).toBe(0)
    expect(berth(root, ['images', 'import', join(dir, 'second.tar')]).code).toBe(0)
    expect(stored(root).images).toEqual([
      { name: NAME, digest: second.target.digest, labels: { env: 'prod', owner: 'me' } },
    ])
    expect(berth(root, ['images', 'import', '--label', 'team=a', join(dir, 'first.tar')]).code).toBe(0)
    expect(stored(root).images).toEqual([{ name: NAME, digest: first.target.digest, labels: { team: 'a' } }])
  })

  it('--platform matching nothing in the archive is refused, and nothing is kept', () => {
    const root = newRoot()
    const r = berth(root, ['images', 'import', '--no-progress', '--platform', 'linux/s390x', archive()])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `berth: ${archive()}: no match for platform linux/s390x in image "${NAME}": use --all-platforms or another --platform\n`,
    )
    expect(stored(root)).toEqual({ images: [], content: [] })
  })

  it('a plain import keeps what images check counts, and the next GC removes nothing', () => {
    const root = newRoot()
    expect(berth(root, ['images', 'import', archive()]).code).toBe(0)
    const host = ordered(hostPlatform())
    const [row] = json(root, ['images', 'check'])
    for (const p of row.platforms as { platform: string; complete: boolean }[]) {
      const runs = fx.images.some(
        (i) => format(i.platform) === p.platform.split(':')[0] && host.match(i.platform),
      )
      expect(p.complete, p.platform).toBe(runs)
    }
    const gc = json(root, ['gc', '--dry-run'])
    expect(gc.removed.filter((x: { kind: string }) => x.kind === 'content')).toEqual([])
    expect(stored(root).content.length).toBeGreaterThan(0)
    expect(berth(root, ['images', 'rm', '--sync', NAME]).code).toBe(0)
    expect(stored(root).content).toEqual([])
  })

  it('--base-name matching none of the names says so and lists them', () => {
    const root = newRoot()
    const r = berth(root, [
      'images',
      'import',
      '--no-progress',
      '--all-platforms',
      '--base-name',
      'example.com/other',
      archive(),
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `berth: --base-name "example.com/other" matches none of the archive's image names; it has "${NAME}"\n`,
    )
    expect(stored(root).content).toEqual([])
  })
})

describe('berth images export of a partly missing image', () => {
  let root: string
  beforeAll(() => {
    root = newRoot()
    expect(berth(root, ['images', 'import', '--platform', 'linux/arm64', archive()]).code).toBe(0)
  })

  it('writes only complete platforms, says which were left out, and the archive reads back', () => {
    const out = join(dir, 'partial.tar')
    const r = berth(root, ['images', 'export', '--all-platforms', out, NAME])
    expect(r.code, r.stderr).toBe(0)
    const arm = fx.images.find((i) => i.platform.architecture === 'arm64')!
    for (const i of fx.images.filter((x) => x !== arm)) {
      expect(r.stderr).toContain(
        `berth: ${NAME}: left out ${format(i.platform)} (${i.manifest.desc.digest}): 1 of its blobs are missing from the store\n`,
      )
    }
    const files = tarEntries(out)
    expect(namedButAbsent(files)).toEqual([])
    const target = JSON.parse(files.get('index.json')!.toString()).manifests[0].digest
    const back = json(newRoot(), ['images', 'import', '--all-platforms', out])
    expect(back.images).toEqual([{ name: NAME, target: expect.objectContaining({ digest: target }) }])
    if (!hasTool('skopeo')) return console.log('skopeo not installed: the skopeo read is skipped')
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${out}`]).toString())
    expect(raw.manifests.map((m: { digest: string }) => m.digest)).toEqual([arm.manifest.desc.digest])
    const cfg = skopeoConfig(`oci-archive:${out}`, 'linux', 'arm64')
    expect(cfg.architecture).toBe('arm64')
  })

  it('fails, writing nothing, when no requested platform is complete', () => {
    const out = join(dir, 'none.tar')
    const r = berth(root, ['images', 'export', '--platform', 'linux/amd64', out, NAME])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(`^berth: image ${NAME}: no platform has all its content in the store`),
    )
    expect(existsSync(out)).toBe(false)
  })
})
