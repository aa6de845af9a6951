// The same app through Playwright's Electron driver, where the Electron binary exists. Here (no
// binary: Electron >= 42 downloads it on first run, from GitHub) the spec skips and says why.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { _electron as electron, chromium, type Page } from 'playwright-core'
import { freePort } from '../registry/support/registry'
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

/**
 * The packaged app has the EnableNodeCliInspectArguments fuse off, so Playwright's Electron driver
 * (which attaches through --inspect) cannot start it: it is started as a user starts it, with only
 * Chromium's remote debugging port, and its window driven over CDP.
 */
async function launchPackaged(
  exe: string,
  env: NodeJS.ProcessEnv,
): Promise<{ win: Page; close(): Promise<void> }> {
  const port = await freePort()
  const child = spawn(exe, [`--remote-debugging-port=${port}`], { env, stdio: 'ignore' })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  try {
    let browser: Awaited<ReturnType<typeof chromium.connectOverCDP>> | undefined
    for (let i = 0; !browser; i++) {
      try {
        browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
      } catch (e) {
        if (i > 150 || child.exitCode !== null) throw e
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    const context = browser.contexts()[0]
    const win = context.pages()[0] ?? (await context.waitForEvent('page'))
    return {
      win,
      async close() {
        await browser.close()
        child.kill()
        await exited
      },
    }
  } catch (e) {
    child.kill()
    throw e
  }
}

describe.skipIf(reason !== null)('Berth in Electron', () => {
  it('opens one secure window showing the shell, with the store in userData', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-electron-'))
    // userData under the temp home on every OS: XDG_CONFIG_HOME (Linux), HOME (macOS), APPDATA (Windows).
    const env = { XDG_CONFIG_HOME: join(home, 'config'), APPDATA: join(home, 'AppData', 'Roaming') }
    const fullEnv = { ...process.env, ...env, HOME: home }
    const app = packaged
      ? await launchPackaged(packaged, fullEnv)
      : await electron
          .launch({ executablePath: binary!, args: [join(ROOT, 'out/main/index.js')], env: fullEnv })
          .then(async (a) => ({ win: await a.firstWindow(), close: () => a.close() }))
    try {
      const { win } = app
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
