// The berth command line, spawned for real against a temp store.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  dockerSaveArchive,
  multiPlatformImage,
  ociArchive,
  randomBytes,
  singlePlatformImage,
} from '../fixtures/images'
import { berth, berthNoRoot } from './cli'

let dir: string
let root: string
const fx = multiPlatformImage({ name: 'docker.io/library/cli:1', attestation: true, compression: 'zstd' })
const saved = singlePlatformImage({ name: 'busybox:1.36', seed: 'cli-save' })

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-'))
  root = join(dir, 'root')
  writeFileSync(join(dir, 'fx.tar.zst'), ociArchive([fx], { compression: 'zstd' }))
  writeFileSync(join(dir, 'save.tar'), dockerSaveArchive([{ fixture: saved }]))
  writeFileSync(join(dir, 'garbage.tar'), randomBytes('garbage', 5000))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('berth images', () => {
  it('imports an OCI archive (zstd-compressed) with plain progress lines on a pipe', () => {
    const r = berth(root, ['images', 'import', '--all-platforms', join(dir, 'fx.tar.zst')])
    expect(r.stderr).toMatch(/^importing: \d+% /m)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      `docker.io/library/cli:1  application/vnd.oci.image.index.v1+json  ${fx.target.digest}`,
    )
  })

  it('imports a docker save archive, one platform', () => {
    const r = berth(root, ['images', 'import', '--platform', 'linux/amd64', '--json', join(dir, 'save.tar')])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.format).toBe('docker')
    expect(out.images.map((i: { name: string }) => i.name)).toEqual(['docker.io/library/busybox:1.36'])
  })

  it('imports from stdin (-), compression detected from the stream', () => {
    const other = join(dir, 'stdin-root')
    const gz = ociArchive([saved], { compression: 'gzip' })
    const r = berth(other, ['--json', 'images', 'import', '--all-platforms', '-'], {}, gz)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).compression).toBe('gzip')
    expect(JSON.parse(r.stdout).images[0].target.digest).toBe(saved.target.digest)
  })

  it('lists with ctr columns, -q and --json', () => {
    const r = berth(root, ['images', 'ls'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^REF +TYPE +DIGEST +SIZE +PLATFORMS +LABELS *$/)
    // Columns line up: every row's DIGEST starts where the header's does.
    const col = lines[0].indexOf('DIGEST')
    for (const l of lines.slice(1)) expect(l.slice(col, col + 7)).toBe('sha256:')
    expect(lines.find((l) => l.startsWith('docker.io/library/cli:1'))).toContain(
      'linux/amd64,linux/arm/v7,linux/arm64,windows(10.0.20348.1)/amd64',
    )
    expect(berth(root, ['images', 'ls', '-q']).stdout).toBe(
      'docker.io/library/busybox:1.36\ndocker.io/library/cli:1\n',
    )
    const json = JSON.parse(berth(root, ['--json', 'images', 'ls', 'name~=cli']).stdout)
    expect(json).toHaveLength(1)
    expect(json[0].digest).toBe(fx.target.digest)
  })

  it('inspects a platform: manifest, config and diff IDs', () => {
    const r = berth(root, [
      'images',
      'inspect',
      '--json',
      'docker.io/library/cli:1',
      '--platform',
      'linux/arm64',
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const arm = fx.images.find((i) => i.platform.architecture === 'arm64')!
    expect(out.config.digest).toBe(arm.config.desc.digest)
    expect(out.diffIds).toEqual(arm.diffIds)
    const text = berth(root, ['images', 'inspect', 'docker.io/library/busybox:1.36']).stdout
    expect(text).toMatch(/^Diff IDs:$/m)
    for (const d of saved.images[0].diffIds) expect(text).toContain(d)
  })

  it('checks every platform', () => {
    const r = berth(root, ['images', 'check', '--json'])
    const cli = JSON.parse(r.stdout).find((x: { name: string }) => x.name === 'docker.io/library/cli:1')
    expect(cli.status).toBe('complete')
    expect(cli.platforms.map((p: { platform: string }) => p.platform).sort()).toEqual([
      'linux/amd64',
      'linux/arm/v7',
      'linux/arm64',
      'windows(10.0.20348.1)/amd64',
    ])
    const table = berth(root, ['images', 'check']).stdout
    expect(table.split('\n')[0]).toMatch(/^REF +TYPE +DIGEST +STATUS +SIZE$/)
    expect(table).toMatch(/complete \(12\/12\)/)
  })

  it('tags, labels and removes', () => {
    expect(berth(root, ['images', 'tag', 'docker.io/library/cli:1', 'example.com/cli:copy']).stdout).toBe(
      'example.com/cli:copy\n',
    )
    const again = berth(root, ['images', 'tag', 'docker.io/library/cli:1', 'example.com/cli:copy'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^berth: .*already exists/)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
    expect(berth(root, ['images', 'label', 'example.com/cli:copy', 'a=1', 'b=2']).stdout).toBe('a=1,b=2\n')
    expect(berth(root, ['images', 'label', 'example.com/cli:copy', 'a=']).stdout).toBe('b=2\n')
    const rm = berth(root, ['images', 'rm', 'example.com/cli:copy', 'example.com/nope:1'])
    expect(rm.code).toBe(0)
    expect(rm.stdout).toBe('example.com/cli:copy\n')
    expect(rm.stderr).toContain('example.com/nope:1: image not found')
  })

  it('exports deterministically, and the export imports into another root with the same digest', () => {
    const a = join(dir, 'a.tar')
    const b = join(dir, 'b.tar')
    expect(berth(root, ['images', 'export', '--all-platforms', a, 'docker.io/library/cli:1']).code).toBe(0)
    expect(berth(root, ['images', 'export', '--all-platforms', b, 'docker.io/library/cli:1']).code).toBe(0)
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true)
    const other = join(dir, 'other')
    const r = berth(other, ['--json', 'images', 'import', '--all-platforms', a])
    expect(JSON.parse(r.stdout).images[0].target.digest).toBe(fx.target.digest)
  })

  it('exports to stdout with -, the same bytes as to a file', () => {
    const file = join(dir, 'to-file.tar')
    berth(root, ['images', 'export', '--all-platforms', file, 'docker.io/library/cli:1'])
    const r = berth(root, ['images', 'export', '--all-platforms', '-', 'docker.io/library/cli:1'])
    expect(r.code).toBe(0)
    expect(r.raw.equals(readFileSync(file))).toBe(true)
  })

  it('a hostile archive: one-line error, non-zero exit, nothing imported', () => {
    const before = berth(root, ['images', 'ls', '-q']).stdout
    const r = berth(root, ['images', 'import', join(dir, 'garbage.tar')])
    expect(r.code).not.toBe(0)
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('berth:')),
    ).toEqual([expect.stringMatching(/not a tar archive/)])
    expect(berth(root, ['images', 'ls', '-q']).stdout).toBe(before)
  })

  it('usage errors exit 2 with one line', () => {
    const r = berth(root, ['images', 'import', '--bogus', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('berth: images import: unknown flag --bogus (see berth images import --help)\n')
    expect(berth(root, ['nonsense']).code).toBe(2)
  })
})

describe('berth pull and push flags', () => {
  it.each([
    ['pull', '127.0.0.1:9/never/pulled:1', '--concurrency', 'abc'],
    ['push', 'docker.io/library/cli:1', '127.0.0.1:9/never/pushed:1', '--concurrency', '-1'],
    ['push', 'docker.io/library/cli:1', '127.0.0.1:9/never/pushed:1', '--chunk-size', '64k'],
  ])('%s refuses a number flag that is not a whole number, naming it, before any network', (...argv) => {
    const r = berth(root, argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      `berth: ${argv[0]}: ${argv.at(-2)} needs a value that is a whole number, not "${argv.at(-1)}" (see berth ${argv[0]} --help)\n`,
    )
  })
})

describe('berth content and gc', () => {
  it('lists, labels and gets blobs', () => {
    const ls = berth(root, ['content', 'ls'])
    expect(ls.stdout.split('\n')[0]).toMatch(/^DIGEST {60,}SIZE +AGE +LABELS$/)
    const d = fx.images[0].config.desc.digest
    expect(ls.stdout).toContain(d)
    expect(berth(root, ['content', 'label', d, 'x=y']).stdout).toBe('x=y\n')
    const get = berth(root, ['content', 'get', d])
    expect(get.raw.equals(fx.images[0].config.data)).toBe(true)
    expect(berth(root, ['content', 'ls', '-q', `labels.x==y`]).stdout).toBe(`${d}\n`)
    const missing = berth(root, ['content', 'get', `sha256:${'0'.repeat(64)}`])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^berth: .*not found/)
  })

  it('gc --dry-run reports without removing; gc removes', () => {
    berth(root, ['images', 'rm', 'docker.io/library/busybox:1.36'])
    const dry = JSON.parse(berth(root, ['--json', 'gc', '--dry-run']).stdout)
    expect(dry.blobsDeleted).toBeGreaterThan(0)
    const cfg = saved.images[0].config.desc.digest
    expect(berth(root, ['content', 'ls', '-q']).stdout).toContain(cfg)
    const run = berth(root, ['gc'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/removed \d+ records, \d+ blobs/)
    expect(berth(root, ['content', 'ls', '-q']).stdout).not.toContain(cfg)
  })

  it('the root comes from --root, then BERTH_ROOT, then the app directory', () => {
    const envRoot = join(dir, 'env-root')
    berthNoRoot(['images', 'ls'], { BERTH_ROOT: envRoot })
    expect(existsSync(join(envRoot, 'berth.db'))).toBe(true)
    const xdg = join(dir, 'xdg')
    berthNoRoot(['images', 'ls'], { BERTH_ROOT: '', XDG_CONFIG_HOME: xdg })
    expect(existsSync(join(xdg, 'Berth', 'berth.db'))).toBe(true)
    expect(existsSync(join(xdg, 'Berth', 'store', 'oci-layout'))).toBe(true)
  })
})
