// The process boundary as a rule a tool checks: Electron main (src-main/app/) must not reach the
// store — better-sqlite3, the database, the content store, the service, the CLI — through any chain of
// imports, and the store host must not reach Electron. The real tree passes; a tree that breaks each
// rule, directly or through an innocent-looking helper, fails with that rule's name.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../support/host'

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

function cruise(cwd: string, dirs: string[]): Violation[] {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'),
      ...dirs,
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
    ],
    { cwd, encoding: 'utf8', maxBuffer: 64 << 20 },
  )
  if (r.error) throw r.error
  if (!r.stdout) throw new Error(`dependency-cruiser gave no report (exit ${r.status}): ${r.stderr}`)
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[] } }
  return out.summary.violations
}

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-layering-'))
  dirs.push(dir)
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction')
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'))
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', types: ['node'], noEmit: true },
      include: ['src-main/**/*.ts', 'src-preload/**/*.ts', 'src-renderer/**/*.ts'],
    }),
  )
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

describe('layering', () => {
  it("main's real import graph keeps the rules", () => {
    // `npm run layering` checks the whole tree; this follows everything main loads.
    expect(cruise(ROOT, ['src-main/app'])).toEqual([])
  }, 60_000)

  it('fails when main reaches the store, directly or through a helper', () => {
    const dir = tree({
      'src-main/app/index.ts':
        "import { h } from '../util/helper'\nimport { open } from './store-view'\nexport const x = [h, open]\n",
      // Looks harmless, but loads the database driver.
      'src-main/util/helper.ts': "import Database from 'better-sqlite3'\nexport const h = Database\n",
      'src-main/app/store-view.ts':
        "import type { Db } from '../core/db'\nimport { list } from '../service/list'\nexport const open = (d?: Db) => [d, list]\n",
      'src-main/core/db.ts': 'export type Db = { file: string }\n',
      'src-main/service/list.ts': "import { read } from '../core/content/store'\nexport const list = read\n",
      'src-main/core/content/store.ts': 'export const read = 1\n',
      'src-main/app/cli.ts': "import { run } from '../cli/main'\nexport const c = run\n",
      'src-main/cli/main.ts': 'export const run = 1\n',
    })
    const v = cruise(dir, ['src-main'])
    const main = v.filter((x) => x.rule.name === 'main-never-reaches-store')
    const reached = main.map((x) => x.to.replace(/^.*node_modules\//, 'node_modules/'))
    expect(reached).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^node_modules\/better-sqlite3\//),
        'src-main/core/db.ts',
        'src-main/service/list.ts',
        'src-main/core/content/store.ts',
        'src-main/cli/main.ts',
      ]),
    )
  }, 60_000)

  it('fails when the host, or main code the bridge shares, reaches Electron', () => {
    const dir = tree({
      'src-main/host/main.ts': "import { ok } from './ok'\nexport const m = ok\n",
      'src-main/host/ok.ts': "import { app } from 'electron'\nexport const ok = app\n",
      'src-main/app/broker.ts': "import { dialog } from 'electron'\nexport const b = dialog\n",
      'src-main/host/serve.ts': "import { bindIpc } from '../app/ipc'\nexport const s = bindIpc\n",
      'src-main/app/ipc.ts': 'export const bindIpc = 1\n',
    })
    const names = cruise(dir, ['src-main']).map((x) => `${x.rule.name} ${x.from}`)
    expect(names).toEqual(
      expect.arrayContaining([
        'host-no-electron src-main/host/main.ts',
        'bridge-code-electron-free src-main/app/broker.ts',
        'host-not-app-glue src-main/host/serve.ts',
      ]),
    )
  }, 60_000)

  it('fails when the renderer takes a value, not a type, from the contract', () => {
    const dir = tree({
      'src-preload/api.ts': "export const CHANNELS = ['app.info']\nexport type Channel = string\n",
      'src-renderer/src/lists.ts':
        "import { CHANNELS } from '../../src-preload/api'\nexport const c = CHANNELS\n",
      'src-renderer/src/types.ts':
        "import type { Channel } from '../../src-preload/api'\nexport type C = Channel\n",
    })
    const names = cruise(dir, ['src-renderer', 'src-preload']).map((x) => `${x.rule.name} ${x.from}`)
    expect(names).toEqual(['renderer-contract-types-only src-renderer/src/lists.ts'])
  }, 60_000)
})
