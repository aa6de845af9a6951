// `berth images files|wasted|cat|diff`, spawned for real against a temp store holding a generated
// two-platform image and an image whose file names are hostile.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileEntry } from '../../src-preload/api'
import { randomBytes, writeOCIArchive } from '../fixtures/images'
import { stackedImage, stackedIndex, stackedPlatform } from '../fixtures/layers'
import { BIG, DEMO_EMPTY, DEMO_LAYERS } from '../files/demo-image'
import { berth, BUILT_CLI } from './cli'

const NAME = 'docker.io/library/demo:3'
let dir: string
let root: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-files-'))
  root = join(dir, 'root')
  const amd64 = stackedPlatform(DEMO_LAYERS, { platform: 'linux/amd64', empty: DEMO_EMPTY })
  const arm64 = stackedPlatform(
    [DEMO_LAYERS[0], { entries: [{ path: 'usr/bin/arm-only', data: 'arm\n' }] }],
    { platform: 'linux/arm64' },
  )
  const hostile = stackedImage('hostile:1', [
    {
      entries: [
        { path: 'evil\x1b[31mred', data: 'x' },
        { path: 'two\nlines', data: 'y' },
      ],
    },
    // More than a pipe holds, for `cat | head`.
    { entries: [{ path: 'big', data: randomBytes('cli-big', 2 << 20) }] },
  ])
  writeOCIArchive(join(dir, 'a.tar'), [
    { fixture: stackedIndex(NAME, [amd64, arm64]), name: NAME },
    { fixture: hostile, name: 'docker.io/library/hostile:1' },
  ])
  // Every platform: a plain import keeps only this machine's (ctr's rule), and the diff compares two.
  const r = berth(root, ['images', 'import', '--all-platforms', '--no-progress', join(dir, 'a.tar')])
  expect(r.code, r.stderr).toBe(0)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('berth images files', () => {
  it('indexes on first use and lists a directory ls -l style', () => {
    const r = berth(root, ['images', 'files', NAME, '/etc'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^indexing: \d+% /m)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/ \/etc\/passwd-link link to \/etc\/passwd$/)
    expect(lines.find((l) => l.endsWith('/etc/shadow'))).toMatch(
      /^-rw------- +0\/42 +19 +2023-11-14 22:13 +\/etc\/shadow$/,
    )
  })

  it("shows one layer's changes with --layer, and the tree as JSON", () => {
    const r = berth(root, ['images', 'files', NAME, '/var', '--layer', '1'])
    expect(r.code, r.stderr).toBe(0)
    const marks = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => `${l[0]} ${l.split(/\s+/).at(-1)}`)
    expect(marks).toEqual([
      'D /var/cache/big.bin',
      'M /var/cache/old',
      'D /var/cache/old/a',
      'D /var/cache/old/b',
      'A /var/cache/old/c',
    ])
    const j = berth(root, ['--json', 'images', 'files', NAME, '/usr/bin'])
    const entries = JSON.parse(j.stdout) as FileEntry[]
    expect(entries.find((e) => e.name === 'sh')).toMatchObject({
      type: 'symlink',
      link: 'tool',
      path: '/usr/bin/sh',
    })
  })

  it('prints hostile names escaped, one entry per line', () => {
    const r = berth(root, ['images', 'files', 'docker.io/library/hostile:1', '--no-progress'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).not.toContain('\x1b')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/ \/big$/)
    expect(lines[1]).toMatch(/\/evil\\x1b\[31mred$/)
    expect(lines[2]).toMatch(/\/two\\nlines$/)
  })
})

describe('berth images wasted, cat and diff', () => {
  it('reports wasted space and efficiency', () => {
    const r = berth(root, ['images', 'wasted', NAME, '--limit', '2'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Efficiency: +\d+\.\d\d %$/m)
    expect(r.stdout).toMatch(new RegExp(`^1 +48\\.8 KiB +0 +/var/cache/big\\.bin$`, 'm'))
  })

  it("writes a file's bytes, through a hardlink too, and refuses a directory", () => {
    const r = berth(root, ['images', 'cat', NAME, '/etc/passwd-link'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n')
    // The version a later layer removed, read from the layer that has it.
    const old = berth(root, ['images', 'cat', NAME, '/var/cache/big.bin', '--layer', '0'])
    expect(old.raw.equals(BIG)).toBe(true)
    const d = berth(root, ['images', 'cat', NAME, '/etc'])
    expect(d.code).toBe(1)
    expect(d.stderr).toMatch(/is a directory/)
  })

  it('ends quietly when its reader stops reading (cat | head)', () => {
    const q = (s: string) => `'${s}'`
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${q(process.execPath)} ${q(BUILT_CLI)} --root ${q(root)} images cat docker.io/library/hostile:1 /big | head -c 10 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { encoding: 'utf8', env: { ...process.env, BERTH_ROOT: '' } },
    )
    expect(r.stderr).toMatch(/exit=0\s*$/)
    expect(r.stderr).not.toMatch(/EPIPE|berth:/)
  })

  it('compares two platforms of one image', () => {
    const diff = ['images', 'diff', NAME, NAME, '--platform', 'linux/amd64', '--platform', 'linux/arm64']
    const r = berth(root, diff)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^\+ +\/usr\/bin\/arm-only$/m)
    expect(r.stdout).toMatch(/^- +\/home\/app\/\.profile$/m)
    expect(r.stdout).toMatch(/^M \/etc\/shadow {2}mode -rw------- → -rw-r-----$/m)
    expect(r.stdout).not.toMatch(/ $/m)
    expect(r.stdout).toMatch(/1 shared layer, the first 1 in common \(A has 3, B has 2\)$/m)
    // What is not listed has the same metadata; contents are not compared, and the summary says so.
    expect(r.stdout).toMatch(/ \d+ alike \(contents not compared\); /)
    const j = JSON.parse(berth(root, ['--json', ...diff, '--added']).stdout)
    expect(j.entries.map((e: { path: string }) => e.path)).toEqual([
      '/opt/app',
      '/opt/app/config.json',
      '/opt/app/lib',
      '/opt/app/lib/x.so',
      '/usr/bin/arm-only',
      '/var/cache/old/a',
      '/var/cache/old/b',
    ])
    expect(j).toMatchObject({ added: 7, removed: 8, changed: 4, total: 7, a: { platform: 'linux/amd64' } })
  })

  it('exits 2 on usage errors', () => {
    expect(berth(root, ['images', 'files']).code).toBe(2)
    expect(berth(root, ['images', 'diff', NAME]).code).toBe(2)
  })
})
