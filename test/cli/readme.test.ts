// README's command-line session, run as written through the real CLI, in order, against an archive this
// test makes: every command succeeds and prints what its comment says (the columns it names, the labels,
// the uncompressed-label listing, what rm --sync freed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, ociArchive } from '../fixtures/images'
import { berthNoRoot, ROOT } from './cli'

/** The shell words of one line, with '…' quoting and a trailing # comment split off. */
function words(line: string): { argv: string[]; comment: string } {
  const argv: string[] = []
  let cur: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      cur = (cur ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === ' ') {
      if (cur !== null) argv.push(cur)
      cur = null
    } else if (c === '#' && cur === null) {
      return { argv, comment: line.slice(i + 1).trim() }
    } else cur = (cur ?? '') + c
  }
  if (cur !== null) argv.push(cur)
  return { argv, comment: '' }
}

/** The README's session: the last sh block of "## The command line". */
function session(): { argv: string[]; comment: string; line: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('## The command line'),
    readme.indexOf('\n## ', readme.indexOf('## The command line') + 5),
  )
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].at(-1)![1]
  const PREFIX = 'npm run -s berth -- '
  return block
    .trimEnd()
    .split('\n')
    .map((line) => {
      expect(line.startsWith(PREFIX), line).toBe(true)
      return { ...words(line.slice(PREFIX.length)), line }
    })
}

describe("README's command-line session", () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-readme-'))
    mkdirSync(join(dir, 'work'))
    const fx = multiPlatformImage({
      name: 'docker.io/library/app:1',
      seed: 'readme',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    writeFileSync(join(dir, 'work', 'app.tar'), ociArchive([fx]))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs as written and prints what it says', () => {
    const steps = session()
    expect(steps.length).toBeGreaterThan(10)
    for (const { argv, comment, line } of steps) {
      const r = berthNoRoot(argv, { BERTH_ROOT: join(dir, 'root') }, { cwd: join(dir, 'work') })
      expect(r.stderr, line).not.toMatch(/^berth: /m)
      expect(r.code, line).toBe(0)
      // A comment that starts with column names: the table's header is exactly those.
      const columns = /^([A-Z]+(?: [A-Z]+)+)\b/.exec(comment)?.[1]
      if (columns) expect(r.stdout.split('\n')[0].split(/ {2,}/), line).toEqual(columns.split(' '))
      if (argv[0] === 'images' && argv[1] === 'label') expect(r.stdout).toBe('env=prod\n')
      if (argv.includes('labels."containerd.io/uncompressed"')) {
        const rows = r.stdout.trimEnd().split('\n').slice(1)
        expect(rows.length, 'layers with a known diff ID').toBeGreaterThan(0)
        for (const row of rows) expect(row).toMatch(/containerd\.io\/uncompressed=sha256:/)
      }
      if (argv.includes('--sync')) expect(r.stdout).toMatch(/^freed \d+\.\d (B|KiB|MiB) \(\d+ blobs\)$/m)
      if (argv[1] === 'ls' && argv[2] === '-q') expect(r.stdout).toBe('docker.io/library/app:1\n')
    }
  })
})
