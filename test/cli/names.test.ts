// Names as users type them, through the real CLI: short names resolve as pull names images, tag refuses
// invalid references, label with no pairs shows the labels, and inspect of an image held for another
// platform says which platforms are there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatAll, hostPlatform } from '../../src-main/core/platforms'
import { multiPlatformImage, ociArchive } from '../fixtures/images'
import { berth } from './cli'

// A platform of the image that is not this machine's, so that "held for another platform" holds anywhere.
const other = hostPlatform().architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64'
const fx = multiPlatformImage({
  name: 'docker.io/feas/multi:2.0',
  seed: 'names',
  platforms: ['linux/amd64', 'linux/arm64'],
})

let dir: string
let root: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-names-'))
  root = join(dir, 'root')
  writeFileSync(join(dir, 'multi.tar'), ociArchive([fx]))
  // As after `berth pull --platform OTHER`: only the other platform's content is in the store.
  expect(berth(root, ['images', 'import', '--platform', other, join(dir, 'multi.tar')]).code).toBe(0)
  expect(berth(root, ['gc']).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const labelsOf = (name: string): Record<string, string> =>
  (JSON.parse(berth(root, ['--json', 'images', 'ls', `name==${name}`]).stdout) as { labels: object }[])[0]
    .labels as Record<string, string>

describe('inspect of an image held for another platform', () => {
  it('names the platforms present and suggests --platform, instead of a missing digest', () => {
    const r = berth(root, ['images', 'inspect', 'docker.io/feas/multi:2.0'])
    expect(r.code).toBe(1)
    expect(r.stderr).not.toMatch(/content digest/)
    expect(r.stderr).toContain(`no content for ${formatAll(hostPlatform())} (this machine's platform)`)
    expect(r.stderr).toContain(`the store holds ${other}: use --platform ${other}`)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('shows the platform when asked for it, by its short name', () => {
    const r = berth(root, ['images', 'inspect', 'feas/multi:2.0', '--platform', other])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Name: +docker\.io\/feas\/multi:2\.0$/m)
    expect(r.stdout).toMatch(new RegExp(`^Platform: +${other}$`, 'm'))
  })
})

describe('short names resolve as pull resolves them', () => {
  it('label: pairs set and remove; no pairs prints the labels and changes nothing; -r alone clears', () => {
    const name = 'docker.io/feas/multi:2.0'
    expect(berth(root, ['images', 'label', name, 'env=prod', 'team=a'])).toMatchObject({
      code: 0,
      stdout: 'env=prod,team=a\n',
    })
    const before = JSON.parse(berth(root, ['--json', 'images', 'ls']).stdout)[0].updatedAt
    expect(berth(root, ['images', 'label', name])).toMatchObject({ code: 0, stdout: 'env=prod,team=a\n' })
    expect(labelsOf(name)).toEqual({ env: 'prod', team: 'a' })
    expect(JSON.parse(berth(root, ['--json', 'images', 'ls']).stdout)[0].updatedAt).toBe(before)
    expect(berth(root, ['images', 'label', name, 'team='])).toMatchObject({ stdout: 'env=prod\n' })
    expect(berth(root, ['images', 'label', '-r', name])).toMatchObject({ code: 0, stdout: '' })
    expect(labelsOf(name)).toEqual({})
  })

  it('label by a short name', () => {
    expect(berth(root, ['images', 'label', 'feas/multi:2.0', 'x=1'])).toMatchObject({
      code: 0,
      stdout: 'x=1\n',
    })
    expect(berth(root, ['images', 'label', '-r', 'feas/multi:2.0']).code).toBe(0)
  })

  it('tag: the source by its short name, targets named as pull names them', () => {
    const r = berth(root, ['images', 'tag', 'feas/multi:2.0', 'feas/multi:copy', 'mine:1'])
    expect(r).toMatchObject({ code: 0, stdout: 'docker.io/feas/multi:copy\ndocker.io/library/mine:1\n' })
    expect(berth(root, ['images', 'ls', '-q']).stdout).toBe(
      'docker.io/feas/multi:2.0\ndocker.io/feas/multi:copy\ndocker.io/library/mine:1\n',
    )
    const again = berth(root, ['images', 'tag', 'feas/multi:2.0', 'mine:1'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists: --force replaces it/)
    expect(berth(root, ['images', 'tag', '--force', 'feas/multi:2.0', 'mine:1']).code).toBe(0)
  })

  it('tag refuses invalid references, writing nothing', () => {
    for (const bad of ['Upper/Case:1', 'has space:1', 'x:bad:tag', 'repo@sha256:1234', '']) {
      const r = berth(root, ['images', 'tag', 'feas/multi:2.0', 'ok:1', bad])
      expect(r.code, bad).toBe(1)
      expect(r.stderr).toMatch(/^berth: invalid reference/)
    }
    expect(berth(root, ['images', 'ls', '-q']).stdout).not.toContain('ok:1')
    // ctr's --skip-reference-check: the name as typed.
    const literal = berth(root, ['images', 'tag', '--skip-reference-check', 'feas/multi:2.0', 'Local Name'])
    expect(literal).toMatchObject({ code: 0, stdout: 'Local Name\n' })
  })

  it('export and rm by short name', () => {
    const out = join(dir, 'short.tar')
    expect(berth(root, ['images', 'export', '--platform', other, out, 'feas/multi:copy']).code).toBe(0)
    const rm = berth(root, ['images', 'rm', 'feas/multi:copy', 'mine:1', 'never:1'])
    expect(rm.code).toBe(0)
    expect(rm.stdout).toBe('docker.io/feas/multi:copy\ndocker.io/library/mine:1\n')
    expect(rm.stderr).toBe('berth: never:1: image not found\n')
  })

  it('a name that is nowhere says which spellings it looked for', () => {
    const r = berth(root, ['images', 'inspect', 'feas/absent:1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'berth: image "feas/absent:1" not found (nor "docker.io/feas/absent:1") in namespace "default"\n',
    )
  })
})
