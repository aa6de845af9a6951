// Files, end to end in Debian's Chromium against the real service and a real store, through the loopback
// bridge: a generated two-platform, multi-layer image is imported; its Files tab indexes it, shows the file
// a whiteout deleted marked in the layer that deleted it, the wasted-space total, a file's preview, and a
// compare of the two platforms. Screenshots go to test-results/screenshots/files-*.png.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeOCIArchive } from '../fixtures/images'
import { stackedIndex, stackedPlatform } from '../fixtures/layers'
import { DEMO_EMPTY, DEMO_LAYERS } from '../files/demo-image'
import { chromiumMissing } from './harness'
import { clearShots, dismissToasts, openApp, type AppSession } from './session'
import { DetailsPage } from './pages/details-page'
import { ImagesPage } from './pages/images-page'

const missing = chromiumMissing()
if (missing) console.log(`[e2e] skipped: ${missing}`)

const NAME = 'docker.io/library/files-demo:1'

describe.skipIf(missing !== null)('Files in Chromium over the loopback bridge', () => {
  let dir: string
  let app: AppSession
  let page: Page
  let images: ImagesPage
  let details: DetailsPage

  const row = (path: string) => page.locator(`[role="treeitem"][data-path="${path}"]`)
  const open = async (path: string) => {
    await row(path)
      .getByRole('button', { name: /^Open / })
      .click()
  }

  beforeAll(async () => {
    clearShots(/^files-/)
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-files-'))
    const amd64 = stackedPlatform(DEMO_LAYERS, { platform: 'linux/amd64', empty: DEMO_EMPTY })
    const arm64 = stackedPlatform(
      [
        DEMO_LAYERS[0],
        {
          entries: [
            { path: 'usr/bin/tool', data: 'an arm64 tool\n', mode: 0o755 },
            { path: 'usr/bin/arm-only', data: 'arm\n' },
          ],
          command: 'RUN build for arm64',
        },
      ],
      { platform: 'linux/arm64' },
    )
    writeOCIArchive(join(dir, 'files.tar'), [{ fixture: stackedIndex(NAME, [amd64, arm64]), name: NAME }])
    app = await openApp(join(dir, 'root'))
    page = app.page
    images = new ImagesPage(page)
    details = new DetailsPage(page)
    app.bridge.dialogs.open = join(dir, 'files.tar')
    await images.importArchive()
    await images.row(NAME).waitFor({ timeout: 20_000 })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('opens Files: indexes the image and shows the merged tree beside the layers', async () => {
    await images.open(NAME)
    await page.getByRole('tab', { name: 'Files' }).click()
    await row('/etc').waitFor({ timeout: 20_000 })
    const layers = page.getByRole('navigation', { name: 'Layers' })
    await expect
      .poll(() => layers.textContent())
      .toContain('RUN rm -rf /var/cache/big.bin /opt/app && adduser app')
    expect(await layers.textContent()).toContain('ENV APP=1')
    const roots = await page
      .locator('[role="treeitem"][aria-level="1"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))
    expect(roots).toEqual(['/dev', '/etc', '/home', '/opt', '/run', '/srv', '/tmp', '/usr', '/var'])
    await dismissToasts(page)
    await app.shot('files-1-tree')
  })

  it('marks the file a whiteout deleted, in the layer that deleted it', async () => {
    await page.getByRole('button', { name: /RUN rm -rf \/var\/cache\/big\.bin/ }).click()
    await open('/var')
    await open('/var/cache')
    const big = row('/var/cache/big.bin')
    await big.waitFor()
    expect(await big.getAttribute('class')).toContain('removed')
    expect(await big.locator('.mark').textContent()).toBe('R')
    await row('/var/cache/old').click()
    await open('/var/cache/old')
    await row('/var/cache/old/a').waitFor()
    expect(await row('/var/cache/old/a').getAttribute('class')).toContain('removed')
    expect(await row('/var/cache/old/c').getAttribute('class')).toContain('added')
    await dismissToasts(page)
    await app.shot('files-2-layer-removed')
    await page.getByRole('checkbox', { name: /Only changes/ }).check()
    await row('/var').waitFor()
    const onlyChanged = await page
      .locator('[role="treeitem"][aria-level="1"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))
    expect(onlyChanged).toEqual(['/etc', '/opt', '/tmp', '/usr', '/var'])
  })

  it('shows the wasted space, its total and the biggest offender', async () => {
    await page.getByRole('tab', { name: 'Wasted space' }).click()
    const total = page.getByTestId('wasted-total')
    await total.waitFor()
    expect(await total.textContent()).toMatch(/^50(\.\d)? KiB in 9 paths$/)
    const top = page.getByRole('table', { name: 'Biggest offenders' }).locator('tbody tr').first()
    expect(await top.textContent()).toContain('/var/cache/big.bin')
    await dismissToasts(page)
    await app.shot('files-3-wasted')
  })

  it("previews a file's text, and saves it out through the native dialog", async () => {
    await page.getByRole('button', { name: /Merged filesystem/ }).click()
    await open('/etc')
    await row('/etc/passwd').click()
    const contents = page.getByLabel('Contents')
    await contents.waitFor()
    expect(await contents.textContent()).toBe(
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    )
    await dismissToasts(page)
    await app.shot('files-4-preview')
    const out = join(dir, 'passwd.out')
    app.bridge.dialogs.save = out
    await row('/etc/passwd').click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Save…' }).click()
    await expect.poll(() => existsSync(out), { timeout: 10_000 }).toBe(true)
    expect(readFileSync(out, 'utf8')).toContain('app:x:1000')
  })

  it('compares the two platforms from the platform matrix', async () => {
    await details.show('Platforms')
    await page.getByRole('checkbox', { name: 'Pick linux/amd64 to compare' }).check()
    await page.getByRole('checkbox', { name: 'Pick linux/arm64 to compare' }).check()
    await page.getByRole('button', { name: /Compare files: linux\/amd64 ↔ linux\/arm64/ }).click()
    await page.getByRole('heading', { name: 'Compare files' }).waitFor()
    const list = page.getByRole('list', { name: 'Differences' })
    await list.locator('[data-path="/usr/bin/arm-only"]').waitFor({ timeout: 20_000 })
    expect(await list.locator('[data-path="/usr/bin/arm-only"]').getAttribute('class')).toContain('added')
    expect(await list.locator('[data-path="/usr/bin/tool"]').textContent()).toContain('size')
    const status = await page.getByRole('status').first().textContent()
    expect(status).toMatch(/1 shared layer \(the first 1 of 3 and 2\)/)
    await dismissToasts(page)
    await app.shot('files-5-compare')
  })

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
