// The same app through Playwright's Electron driver, where the Electron binary exists. Here (no
// binary: Electron >= 42 downloads it on first run, from GitHub) the spec skips and says why.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { defaultRoot } from '../../src-main/service/berth'
import { ROOT } from './harness'

/** Where the electron package put its binary, without requiring it (that would start a download). */
function electronBinary(): string | null {
  const pkg = join(ROOT, 'node_modules/electron')
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return null
  const p = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(p) ? p : null
}

/** A packaged app's executable to test instead of the dev build (the release workflow sets it). */
const packaged = process.env.BERTH_E2E_APP || undefined
const binary = electronBinary()
const built = existsSync(join(ROOT, 'out/main/index.js')) && existsSync(join(ROOT, 'out/preload/index.js'))
const reason = packaged
  ? existsSync(packaged)
    ? null
    : `BERTH_E2E_APP names ${packaged}, which does not exist (npm run dist first)`
  : !binary
    ? 'the Electron binary is not installed (node_modules/electron has no dist/; it downloads from GitHub on first run)'
    : !built
      ? 'the app is not built (npm run build)'
      : null
if (reason) console.log(`[electron e2e] skipped: ${reason}`)

describe.skipIf(reason !== null)('Berth in Electron', () => {
  it('opens one secure window showing the shell, with the store in userData', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-electron-'))
    // userData under the temp home on every OS: XDG_CONFIG_HOME (Linux), HOME (macOS), APPDATA (Windows).
    const env = { XDG_CONFIG_HOME: join(home, 'config'), APPDATA: join(home, 'AppData', 'Roaming') }
    const app = await electron.launch({
      executablePath: packaged ?? binary!,
      args: packaged ? [] : [join(ROOT, 'out/main/index.js')],
      env: { ...process.env, ...env, HOME: home },
    })
    try {
      const win = await app.firstWindow()
      await win.getByRole('heading', { name: 'Images', level: 1 }).waitFor()
      expect(await win.getByRole('navigation', { name: 'Views' }).textContent()).toMatch(/Images.*Content/s)
      const nodeVisible = await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)
      expect(nodeVisible).toBe('undefined')
      const info = await win.evaluate(() => window.berth.invoke('app.info'))
      expect(info).toMatchObject({
        ok: true,
        value: { name: 'Berth', storePath: defaultRoot(env, process.platform, home) },
      })
    } finally {
      await app.close()
      rmSync(home, { recursive: true, force: true })
    }
  })
})
