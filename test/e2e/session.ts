// One app in one Chromium page: what every e2e suite starts from. The page's errors and failed console
// lines are collected from the first load, so a suite's closing "no errors" check sees them all.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startBridge, type Bridge } from './bridge'
import { ensureRendererBuilt, launchChromium, ROOT } from './harness'

export const SHOTS = join(ROOT, 'test-results/screenshots')

/**
 * Clears one suite's screenshots from an earlier run (those whose names match `own`), leaving the
 * others': suites share the folder and run in any order, so wiping all of it from one suite's setup
 * deleted what a suite that ran earlier had just written.
 */
export function clearShots(own: RegExp): void {
  mkdirSync(SHOTS, { recursive: true })
  for (const f of readdirSync(SHOTS)) if (own.test(f)) rmSync(join(SHOTS, f), { force: true })
}

export interface AppSession {
  bridge: Bridge
  browser: Browser
  page: Page
  /** Uncaught page errors and console errors, in order. */
  errors: string[]
  /** Saves the page as test-results/screenshots/<name>.png for people to look at. */
  shot(name: string): Promise<Buffer>
  close(): Promise<void>
}

/** Serves a store at `root` (created if new) on a linux/amd64 host and opens it at a fixed window size. */
export async function openApp(root: string): Promise<AppSession> {
  const rendererDir = await ensureRendererBuilt()
  const bridge = await startBridge({ root, rendererDir, host: { os: 'linux', architecture: 'amd64' } })
  let browser: Browser | undefined
  let page: Page
  const errors: string[] = []
  try {
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1360, height: 820 } })
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    await page.goto(bridge.url)
  } catch (e) {
    // The suite's afterAll has no session to close yet: free the port and the store here.
    await browser?.close()
    await bridge.close()
    throw e
  }
  return {
    bridge,
    browser,
    page,
    errors,
    shot: (name) => page.screenshot({ path: join(SHOTS, `${name}.png`) }),
    async close() {
      await browser.close()
      await bridge.close()
    },
  }
}

/** Dismisses the toasts on the page, so a screenshot meant for people shows the view under them. */
export async function dismissToasts(page: Page): Promise<void> {
  // Clicked in the page at once: a toast that goes by itself meanwhile is no failure.
  await page
    .getByRole('button', { name: /^Dismiss: / })
    .evaluateAll((els) => els.forEach((e) => (e as HTMLButtonElement).click()))
}
