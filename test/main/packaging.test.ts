// What can be checked of the packaged app without the Electron binary: electron-builder itself accepts
// the configuration (its schema validation, the same call a real build makes first) and would refuse a
// wrong one; the fuses are the ones issue 10 asks for; release builds force code signing and nothing
// names a signing identity; the `berth` launchers ship as extra resources and, run through a symlink
// on PATH, start the app binary with --berth-cli and the user's arguments.
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ROOT } from '../support/host'

const CONFIG = 'electron-builder.yml'
const config = parse(readFileSync(join(ROOT, CONFIG), 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>
  extraResources: { from: string; to: string; filter: string[] }[]
  mac: Record<string, unknown>
  linux: Record<string, unknown>
  files: string[]
}
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts

/** electron-builder's own loader and schema check, as `electron-builder --config …` runs them first. */
async function validate(overrides: Record<string, unknown> = {}): Promise<void> {
  const req = createRequire(join(ROOT, 'node_modules/electron-builder/package.json'))
  const lib = createRequire(req.resolve('app-builder-lib/package.json'))
  const { getConfig, validateConfiguration } = lib('./out/util/config/config') as {
    getConfig(dir: string, file: string, extra: unknown): Promise<unknown>
    validateConfiguration(c: unknown, logger: unknown): Promise<void>
  }
  const { DebugLogger } = lib('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }
  const c = await getConfig(ROOT, CONFIG, overrides)
  await validateConfiguration(c, new DebugLogger(false))
}

describe('electron-builder configuration', () => {
  it('is accepted by electron-builder, which refuses a wrong one', async () => {
    await validate()
    await validate({ forceCodeSigning: true })
    await expect(validate({ electronFuses: { runAsNode: false, runAsNod: true } })).rejects.toThrow(
      /electronFuses/,
    )
  }, 30_000)

  it('flips the fuses issue 10 asks for', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('forces code signing for release builds only, with identities from the environment', () => {
    expect(scripts['dist:release']).toMatch(/-c\.forceCodeSigning=true/)
    expect(scripts.dist).not.toMatch(/forceCodeSigning/)
    expect(config.forceCodeSigning).toBeUndefined()
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true })
    const text = readFileSync(join(ROOT, CONFIG), 'utf8')
    expect(text).not.toMatch(/^\s*(identity|certificateFile|certificatePassword|certificateSubjectName):/m)
  })

  it('the release workflow builds with forced signing, and tests the binary the Linux build names', () => {
    const release = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')
    expect(release).toMatch(/npm run dist:release/)
    expect(release).not.toMatch(/npm run dist(?!:release)/)
    expect(release).toContain(`app: release/linux-unpacked/${config.linux.executableName}\n`)
  })

  it('ships the app bundles (main, store host, CLI child) and the berth launchers', () => {
    expect(config.files).toContain('out/**')
    expect(config.extraResources).toEqual([
      { from: 'packaging/cli', to: 'cli', filter: ['berth', 'berth.cmd'] },
    ])
    expect(statSync(join(ROOT, 'packaging/cli/berth')).mode & 0o111).not.toBe(0)
    expect(readFileSync(join(ROOT, 'packaging/cli/berth.cmd'), 'utf8')).toMatch(
      /"%BERTH_APP%" --berth-cli %\*/,
    )
    // The GUI must not take the CLI's name on Linux (the .deb links /usr/bin/<executable>).
    expect(config.linux.executableName).toBe('berth-app')
  })
})

const noSh = process.platform === 'win32' ? 'the sh launcher is not for Windows (berth.cmd is)' : null
if (noSh) console.log(`[packaging] launcher test skipped: ${noSh}`)

describe.skipIf(noSh !== null)('the berth launcher', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  /** An installed app's tree whose "binary" prints how it was started, with the launcher linked onto PATH. */
  function install(layout: 'mac' | 'linux'): { bin: string } {
    const dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'))
    dirs.push(dir)
    const resources =
      layout === 'mac' ? join(dir, 'Berth.app/Contents/Resources') : join(dir, 'opt/Berth/resources')
    const binary =
      layout === 'mac' ? join(dir, 'Berth.app/Contents/MacOS/Berth') : join(dir, 'opt/Berth/berth-app')
    mkdirSync(join(resources, 'cli'), { recursive: true })
    mkdirSync(join(binary, '..'), { recursive: true })
    copyFileSync(join(ROOT, 'packaging/cli/berth'), join(resources, 'cli/berth'))
    chmodSync(join(resources, 'cli/berth'), 0o755)
    writeFileSync(binary, '#!/bin/sh\nprintf "%s|" "$0" "$@"\nexit 4\n')
    chmodSync(binary, 0o755)
    // A user's PATH entry links to the launcher (through a second link, as Homebrew-style setups do).
    mkdirSync(join(dir, 'bin'))
    symlinkSync(join(resources, 'cli/berth'), join(dir, 'bin', 'berth-link'))
    symlinkSync('berth-link', join(dir, 'bin', 'berth'))
    return { bin: join(dir, 'bin', 'berth') }
  }

  it.each(['mac', 'linux'] as const)(
    '%s: runs the app binary with --berth-cli and the arguments, passing its exit code',
    (layout) => {
      const { bin } = install(layout)
      const r = spawnSync(bin, ['images', 'ls', 'name with spaces'], { encoding: 'utf8' })
      expect(r.status).toBe(4)
      const [argv0, ...rest] = r.stdout.split('|').slice(0, -1)
      expect(argv0).toMatch(
        layout === 'mac'
          ? /Berth\.app\/Contents\/Resources\/\.\.\/MacOS\/Berth$/
          : /opt\/Berth\/resources\/\.\.\/berth-app$/,
      )
      expect(rest).toEqual(['--berth-cli', 'images', 'ls', 'name with spaces'])
    },
  )

  it('says so when there is no app beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'))
    dirs.push(dir)
    mkdirSync(join(dir, 'resources/cli'), { recursive: true })
    copyFileSync(join(ROOT, 'packaging/cli/berth'), join(dir, 'resources/cli/berth'))
    chmodSync(join(dir, 'resources/cli/berth'), 0o755)
    const r = spawnSync(join(dir, 'resources/cli/berth'), ['images', 'ls'], { encoding: 'utf8' })
    expect(r.status).toBe(127)
    expect(r.stderr).toMatch(/Berth app was not found/)
  })
})
