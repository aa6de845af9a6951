// One output style through the real CLI: one size format, columns of spaces with no trailing space and no
// tab, the same platform spelling in ls and check, warnings for ~= expressions that cannot match,
// progress that means something when reading stdin, a quiet end when the reader of stdout goes away, and
// `rm --sync` saying what it freed.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, ociArchive, singlePlatformImage } from '../fixtures/images'
import { berth, BUILT_CLI } from './cli'

const multi = multiPlatformImage({ name: 'docker.io/library/multi:1', seed: 'out', attestation: true })
const big = singlePlatformImage({ name: 'docker.io/library/big:1', seed: 'big', layerSize: 2 << 20 })
const SIZE = /^\d+\.\d (B|KiB|MiB|GiB)$/

let dir: string
let root: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-output-'))
  root = join(dir, 'root')
  writeFileSync(join(dir, 'multi.tar'), ociArchive([multi]))
  writeFileSync(join(dir, 'big.tar'), ociArchive([big]))
  expect(berth(root, ['images', 'import', '--all-platforms', join(dir, 'multi.tar')]).code).toBe(0)
  expect(berth(root, ['images', 'import', join(dir, 'big.tar')]).code).toBe(0)
  expect(berth(root, ['images', 'label', 'docker.io/library/multi:1', 'env=prod']).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Lines of a table, each checked for the one column style. */
function table(out: string): string[][] {
  const lines = out.trimEnd().split('\n')
  for (const l of lines) {
    expect(l, JSON.stringify(l)).not.toMatch(/\t/)
    expect(l, JSON.stringify(l)).not.toMatch(/ $/)
  }
  return lines.map((l) => l.split(/ {2,}/))
}

describe('one column style and one size format', () => {
  it('images ls', () => {
    const [head, ...rows] = table(berth(root, ['images', 'ls']).stdout)
    expect(head).toEqual(['REF', 'TYPE', 'DIGEST', 'SIZE', 'PLATFORMS', 'LABELS'])
    for (const r of rows) expect(r[3]).toMatch(SIZE)
  })

  it('content ls', () => {
    const [head, ...rows] = table(berth(root, ['content', 'ls']).stdout)
    expect(head).toEqual(['DIGEST', 'SIZE', 'AGE', 'LABELS'])
    for (const r of rows) expect(r[1]).toMatch(SIZE)
  })

  it('images check: no UNPACKED column; SIZE is present/required', () => {
    const [head, ...rows] = table(berth(root, ['images', 'check']).stdout)
    expect(head).toEqual(['REF', 'TYPE', 'DIGEST', 'STATUS', 'SIZE'])
    for (const r of rows) {
      const [present, required] = r[4].split('/')
      expect(present).toMatch(SIZE)
      expect(required).toMatch(SIZE)
    }
  })

  it('gc and inspect', () => {
    const gc = table(berth(root, ['gc', '--dry-run']).stdout)
    expect(gc.at(-1)?.join(' ')).toMatch(/^would remove \d+ records, \d+ blobs, \d+\.\d (B|KiB|MiB)$/)
    const inspect = berth(root, ['images', 'inspect', 'docker.io/library/big:1']).stdout
    table(inspect)
    expect(inspect).toMatch(/^Target: +\S+ sha256:[0-9a-f]{64} \(\d+\.\d (B|KiB)\)$/m)
    expect(inspect).toMatch(/^ {2}sha256:[0-9a-f]{64} +\S+ +2\.0 MiB +diff sha256:/m)
  })

  it('ls and check spell platforms the same way', () => {
    const ls = JSON.parse(berth(root, ['--json', 'images', 'ls', 'name==docker.io/library/multi:1']).stdout)
    const check = JSON.parse(
      berth(root, ['--json', 'images', 'check', 'name==docker.io/library/multi:1']).stdout,
    )
    const checked = (check[0].platforms as { platform: string }[]).map((p) => p.platform).sort()
    expect(ls[0].platforms).toEqual(checked)
    expect(checked).toContain('windows(10.0.20348.1)/amd64')
    const lsLine = berth(root, ['images', 'ls'])
      .stdout.split('\n')
      .find((l) => l.startsWith('docker.io/library/multi:1'))
    expect(lsLine).toContain(checked.join(','))
  })
})

describe('~= expressions that do not compile', () => {
  it.each([
    [['images', 'ls', 'name~=('], 'name~="("'],
    [['images', 'ls', '-q', 'name==x', 'labels.env~=/[a/'], 'labels.env~="[a"'],
    [['images', 'check', 'name~=(?P<'], 'name~="(?P<"'],
    [['content', 'ls', 'labels.x~=*'], 'labels.x~="*"'],
  ])('%j matches nothing, as in containerd, and says why', (argv, named) => {
    const r = berth(root, argv)
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`berth: warning: in `)
    expect(r.stderr).toContain(`${named} matches nothing: error parsing regexp`)
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .filter((l) => l && !/^(REF|DIGEST)/.test(l)),
    ).toEqual([])
  })

  it('a ~= that compiles is no warning', () => {
    const r = berth(root, ['images', 'ls', '-q', 'name~=^docker\\.io/library/m'])
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'docker.io/library/multi:1\n' })
  })
})

describe('streams', () => {
  it('importing from stdin shows bytes and a rate, not 0%', () => {
    const other = join(dir, 'stdin-root')
    const r = berth(other, ['images', 'import', '-'], {}, readFileSync(join(dir, 'big.tar')))
    expect(r.code).toBe(0)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) {
      expect(l).not.toMatch(/\b0%/)
      expect(l).toMatch(/^importing: \d+\.\d (B|KiB|MiB) read, \d+\.\d (B|KiB|MiB|GiB)\/s/)
    }
    const size = readFileSync(join(dir, 'big.tar')).length
    expect(lines.at(-1)).toContain(`${(size / 1048576).toFixed(1)} MiB read`)
  })

  it('`export - | head` ends quietly: exit 0, nothing on stderr', async () => {
    const p = spawn(
      process.execPath,
      [BUILT_CLI, '--root', root, 'images', 'export', '-', 'docker.io/library/big:1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let err = ''
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    // The reader takes a little and goes away, as `head -c 100` does.
    await new Promise<void>((resolve) => p.stdout.once('data', () => resolve()))
    p.stdout.destroy()
    const code = await new Promise<number | null>((resolve) => p.on('close', resolve))
    expect(err).not.toMatch(/berth:|EPIPE|Error/)
    expect(code).toBe(0)
  })

  it('rm --sync prints what the collection freed', () => {
    const r = berth(root, ['images', 'rm', '--sync', 'docker.io/library/big:1'])
    expect(r.code).toBe(0)
    // Garbage from before goes too (the archives' own index.json blobs), as containerd's GC takes it.
    expect(r.stdout).toMatch(/^docker\.io\/library\/big:1\nfreed \d+\.\d MiB \(\d+ blobs\)\n$/)
    const again = JSON.parse(
      berth(root, ['--json', 'images', 'rm', '--sync', 'docker.io/library/multi:1']).stdout,
    )
    expect(again.removed).toEqual(['docker.io/library/multi:1'])
    expect(again.blobsDeleted).toBe(multi.blobs.size)
    expect(again.bytesFreed).toBe([...multi.blobs.values()].reduce((n, b) => n + b.length, 0))
  })
})
