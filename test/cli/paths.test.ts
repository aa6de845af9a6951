// Paths on the command line mean what the user meant: relative to the user's own directory (the built
// CLI's working directory; under `npm run`, npm's INIT_CWD), and a missing output directory or a --root
// that is a file is named as such.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ociArchive, singlePlatformImage } from '../fixtures/images'
import { berth, ROOT } from './cli'

const app = singlePlatformImage({ name: 'docker.io/library/app:1', seed: 'paths' })
let dir: string
let work: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-paths-'))
  work = join(dir, 'work')
  mkdirSync(work)
  writeFileSync(join(work, 'app.tar'), ociArchive([app]))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('relative paths', () => {
  it('the built CLI reads and writes relative to its working directory', () => {
    const root = join(dir, 'built-root')
    const imp = berth(root, ['images', 'import', 'app.tar'], {}, undefined, work)
    expect(imp.code).toBe(0)
    expect(imp.stdout).toContain(app.target.digest)
    const exp = berth(root, ['images', 'export', 'out.tar', 'docker.io/library/app:1'], {}, undefined, work)
    expect(exp.code).toBe(0)
    expect(existsSync(join(work, 'out.tar'))).toBe(true)
    expect(existsSync(join(ROOT, 'out.tar'))).toBe(false)
  })

  it('`npm run berth` from another directory resolves against that directory (INIT_CWD)', () => {
    const root = join(dir, 'npm-root')
    const npm = (args: string[]) =>
      spawnSync('npm', ['run', '-s', '--prefix', ROOT, 'berth', '--', '--root', 'npm-root', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, BERTH_ROOT: '' },
      })
    const imp = npm(['images', 'import', join('work', 'app.tar')])
    expect(imp.stderr).not.toMatch(/^berth: /m)
    expect(imp.status).toBe(0)
    // --root is relative too: the store is where the user stands, not in the checkout.
    expect(existsSync(join(root, 'berth.db'))).toBe(true)
    expect(existsSync(join(ROOT, 'npm-root'))).toBe(false)
    const exp = npm(['images', 'export', 'npm-out.tar', 'docker.io/library/app:1'])
    expect(exp.status).toBe(0)
    expect(existsSync(join(dir, 'npm-out.tar'))).toBe(true)
    expect(existsSync(join(ROOT, 'npm-out.tar'))).toBe(false)
  })
})

describe('paths that cannot be used are named', () => {
  it('an output directory that does not exist', () => {
    const root = join(dir, 'root')
    expect(berth(root, ['images', 'import', join(work, 'app.tar')]).code).toBe(0)
    const r = berth(
      root,
      ['images', 'export', 'nowhere/out.tar', 'docker.io/library/app:1'],
      {},
      undefined,
      work,
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `berth: cannot write ${join(work, 'nowhere', 'out.tar')}: the directory ${join(work, 'nowhere')} does not exist\n`,
    )
    // No temporary file left behind, and none named in the message.
    expect(readdirSync(work).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('an output that is a directory, or lies under a file', () => {
    const root = join(dir, 'root')
    mkdirSync(join(work, 'adir'), { recursive: true })
    const r = berth(root, ['images', 'export', join(work, 'adir'), 'docker.io/library/app:1'])
    expect(r).toMatchObject({
      code: 1,
      stderr: `berth: cannot write an archive at ${join(work, 'adir')}: it is a directory\n`,
    })
    const under = berth(root, ['images', 'export', join(work, 'app.tar', 'x.tar'), 'docker.io/library/app:1'])
    expect(under.code).toBe(1)
    expect(under.stderr).toContain(`${join(work, 'app.tar')} is not a directory`)
  })

  it('a --root that is a file', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'not a store')
    for (const root of [file, join(file, 'below')]) {
      const r = berth(root, ['images', 'ls'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        new RegExp(
          `^berth: the store root ${root.replace(/[/.]/g, '\\$&')} (is|lies under) a file, not a directory`,
        ),
      )
      expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR/)
    }
  })
})
