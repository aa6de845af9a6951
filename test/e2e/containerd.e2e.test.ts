// A running containerd in the window, end to end in Debian's Chromium over the loopback bridge, with
// ctr on the same daemon as the witness: add the daemon as a source, switch to it and see what ctr
// lists, edit a label there (ctr sees it), switch back and send an image of Berth's store to the daemon
// (ctr images check says it is complete). Screenshots go to test-results/screenshots/cd-*.png.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBerth } from '../../src-main/service/berth'
import { importArchive } from '../../src-main/core/transfer/import'
import { startDaemon, containerdMissing, type Daemon } from '../containerd/daemon'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { chromiumMissing } from './harness'
import { clearShots, openApp, type AppSession } from './session'
import { DetailsPage } from './pages/details-page'
import { ImagesPage } from './pages/images-page'

const missing = chromiumMissing() ?? containerdMissing()
if (missing) console.log(`[e2e containerd] skipped: ${missing}`)

const ON_DAEMON = 'docker.io/library/daemon-app:1'
const MINE = 'docker.io/library/mine:2'

describe.skipIf(missing !== null)('a containerd daemon in the window', () => {
  let dir: string
  let d: Daemon | undefined
  let app: AppSession
  let page: Page
  let images: ImagesPage
  let details: DetailsPage
  const shot = (name: string) => app.shot(`cd-${name}`)
  const sidebar = () => page.getByRole('region', { name: 'Sources' })

  beforeAll(async () => {
    clearShots(/^cd-/)
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-cd-'))
    d = await startDaemon()
    if (!d) return
    writeOCIArchive(join(dir, 'daemon.tar'), [
      {
        fixture: multiPlatformImage({ name: 'daemon-app', platforms: ['linux/amd64', 'linux/arm64'] }),
        name: ON_DAEMON,
      },
    ])
    d.ctr('-n', 'default', 'images', 'import', '--all-platforms', '--no-unpack', join(dir, 'daemon.tar'))
    // Berth's own store has an image of its own before the window opens.
    writeOCIArchive(join(dir, 'mine.tar'), [
      { fixture: singlePlatformImage({ seed: 'e2e-mine' }), name: MINE },
    ])
    const b = openBerth({ root: join(dir, 'root') })
    await importArchive(b, 'default', join(dir, 'mine.tar'), { allPlatforms: true })
    b.close()
    app = await openApp(join(dir, 'root'))
    page = app.page
    images = new ImagesPage(page)
    details = new DetailsPage(page)
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await d?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('adds the daemon: connect to its socket, pick a namespace, and it becomes the source', async ({
    skip,
  }) => {
    if (!d) return skip()
    await images.row(MINE).waitFor()
    await sidebar().getByRole('button', { name: 'Add containerd…' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('containerd socket').fill(d.address)
    await dialog.getByRole('button', { name: 'Connect' }).click()
    await dialog.getByRole('status').waitFor()
    expect(await dialog.getByLabel('containerd namespace').inputValue()).toBe('default')
    await shot('01-add')
    await dialog.getByRole('button', { name: 'Add' }).click()
    await sidebar().getByRole('button', { name: 'containerd · default', exact: true }).waitFor()
    await expect
      .poll(() =>
        sidebar()
          .getByRole('button', { name: 'containerd · default', exact: true })
          .getAttribute('aria-current'),
      )
      .toBe('true')
    await images.row(ON_DAEMON).waitFor({ timeout: 20_000 })
    const ctrNames = d.ctr('-n', 'default', 'images', 'ls', '-q').trim().split('\n')
    expect(await images.names()).toEqual(ctrNames)
    // The sidebar's name is all that tells sources apart: the active one (bold) is not cut short.
    const cut = await sidebar()
      .getByRole('button', { name: 'containerd · default', exact: true })
      .locator('.name')
      .evaluate((e) => e.scrollWidth > e.clientWidth)
    expect(cut).toBe(false)
    const chips = await images.row(ON_DAEMON).locator('.chip').allTextContents()
    expect(chips).toEqual(['linux/amd64', 'linux/arm64'])
    await shot('02-daemon-images')
  })

  it('edits a label on the daemon: ctr images ls shows it', async ({ skip }) => {
    if (!d) return skip()
    await images.open(ON_DAEMON)
    await details.show('Labels')
    await details.addLabel('team', 'e2e')
    await details.save()
    await page.getByText('Labels saved').waitFor()
    expect(d.ctr('-n', 'default', 'images', 'ls', `name==${ON_DAEMON}`)).toContain('team=e2e')
    await shot('03-daemon-label')
    await details.back()
  })

  it('switches back to Berth and sends an image to the daemon: ctr images check says complete', async ({
    skip,
  }) => {
    if (!d) return skip()
    await sidebar().getByRole('button', { name: 'Berth', exact: true }).click()
    await images.row(MINE).waitFor()
    expect(await images.names()).toEqual([MINE])
    await images.select(MINE)
    await page
      .getByRole('toolbar', { name: 'Image actions' })
      .getByRole('button', { name: 'Copy to…' })
      .click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.getByLabel('Target namespace').inputValue()).toBe('default')
    await shot('04-copy')
    await dialog.getByRole('button', { name: 'Copy' }).click()
    await page.getByText(`Copied ${MINE}`).waitFor({ timeout: 30_000 })
    expect(d.ctr('-n', 'default', 'images', 'check', `name==${MINE}`)).toMatch(/complete/)
    await shot('05-sent')
    expect(app.errors).toEqual([])
  })
})
