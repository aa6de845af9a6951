// End to end in Debian's Chromium against the real service and a real store on disk, through the
// loopback bridge: import a generated multi-platform archive, find it, filter it, read its platform
// matrix, label it (and read the label back from SQLite), delete it. Screenshots of every view go to
// test-results/screenshots/ for people to look at.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import type { Bridge } from './bridge'
import { chromiumMissing } from './harness'
import { clearShots, openApp, type AppSession } from './session'
import { ContentPage } from './pages/content-page'
import { DetailsPage } from './pages/details-page'
import { ImagesPage } from './pages/images-page'

const missing = chromiumMissing()
if (missing) console.log(`[e2e] skipped: ${missing}`)

const DEMO = 'docker.io/library/demo:1.0'

describe.skipIf(missing !== null)('Berth in Chromium over the loopback bridge', () => {
  let dir: string
  let bridge: Bridge
  let app: AppSession
  let page: Page
  let images: ImagesPage
  let details: DetailsPage
  let errors: string[]

  const shot = (name: string) => app.shot(name)

  beforeAll(async () => {
    clearShots(/^[01]\d-/)
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-'))
    writeOCIArchive(join(dir, 'demo.tar'), [
      {
        fixture: multiPlatformImage({ name: 'demo', attestation: true, layers: 3, layerSize: 48_000 }),
        name: DEMO,
      },
      {
        fixture: multiPlatformImage({
          name: 'api',
          platforms: ['linux/amd64', 'linux/arm64'],
          layerSize: 30_000,
        }),
        name: 'ghcr.io/acme/api:2.1',
      },
      {
        fixture: singlePlatformImage({ seed: 'alpine', layerSize: 12_000 }),
        name: 'docker.io/library/alpine:3.20',
      },
      {
        fixture: singlePlatformImage({ seed: 'alpine', layerSize: 12_000 }),
        name: 'docker.io/library/alpine:latest',
      },
    ])
    app = await openApp(join(dir, 'root'))
    ;({ bridge, page, errors } = app)
    images = new ImagesPage(page)
    details = new DetailsPage(page)
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows the empty state to a new user', async () => {
    await images.emptyState.waitFor()
    expect(await images.emptyState.textContent()).toMatch(/Import an image archive/)
    await shot('01-empty')
  })

  it('imports a multi-platform archive through the native dialog and lists it', async () => {
    bridge.dialogs.open = join(dir, 'demo.tar')
    await images.importArchive()
    await images.row(DEMO).waitFor({ timeout: 20_000 })
    expect(await images.names()).toEqual([
      'docker.io/library/alpine:3.20',
      'docker.io/library/alpine:latest',
      DEMO,
      'ghcr.io/acme/api:2.1',
    ])
    const chips = await images.row(DEMO).locator('.chip').allTextContents()
    expect(chips).toEqual(['linux/amd64', 'linux/arm64', '+2'])
    expect(await images.row(DEMO).locator('.chip', { hasText: '+2' }).getAttribute('title')).toBe(
      'linux/arm/v7\nwindows(10.0.20348.1)/amd64',
    )
    await page.waitForTimeout(300) // let the toast settle for the picture
    await shot('02-images')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('02-images-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('sorts by a column', async () => {
    await page.getByRole('columnheader', { name: /Size/ }).getByRole('button').click()
    await expect.poll(() => images.names().then((n) => n[0])).toBe(DEMO)
    await page.getByRole('columnheader', { name: /Name/ }).getByRole('button').click()
    await expect.poll(() => images.names().then((n) => n[0])).toBe('docker.io/library/alpine:3.20')
  })

  it('opens the platform matrix: 4 platforms, the host best match, attestations apart', async () => {
    await images.open(DEMO)
    await details.tab('Overview').waitFor()
    await page.getByText('every blob of the image present in the store').waitFor()
    await shot('03-details-overview')
    await details.show('Platforms')
    await details.matrix.waitFor()
    expect(await details.cells.count()).toBe(4)
    const platforms = await details.cells.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-platform')),
    )
    expect(platforms.sort()).toEqual([
      'linux/amd64',
      'linux/arm/v7',
      'linux/arm64',
      'windows(10.0.20348.1)/amd64',
    ])
    expect(await details.matrix.locator('button.cell.best').getAttribute('data-platform')).toBe('linux/amd64')
    const rowHeads = await details.matrix.getByRole('rowheader').allTextContents()
    expect(rowHeads.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['linux', 'windows 10.0.20348.1'])
    expect(await details.attestations.count()).toBe(4)
    expect(await details.attestations.first().textContent()).toMatch(/for linux\/amd64/)
    await shot('04-details-platforms')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('04-details-platforms-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await details.cells.filter({ hasText: 'best match' }).click()
    await page.getByRole('tab', { name: 'Raw', selected: true }).waitFor()
    await page.getByLabel(/^JSON of sha256:/).waitFor()
    expect(await page.getByLabel(/^JSON of sha256:/).textContent()).toMatch(/"layers"/)
    await shot('05-details-raw')
  })

  it('shows the descriptor tree and the config with its history', async () => {
    await details.show('Content')
    await page.getByRole('tree', { name: 'Descriptor tree' }).waitFor()
    expect(await page.getByRole('treeitem').count()).toBeGreaterThan(20)
    await shot('06-details-content')
    await details.show('Config & history')
    await page.getByRole('heading', { name: /History/ }).waitFor()
    await shot('07-details-config')
  })

  it('edits a label, checking the byte rule as it is typed, and the label lands in SQLite', async () => {
    await details.show('Labels')
    await details.addLabel('env', 'prod')
    await details.addLabel('big', 'x'.repeat(4100))
    await page.getByText('exceed 4096 bytes').waitFor()
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true)
    await shot('08-details-labels-invalid')
    await page.getByRole('button', { name: 'Remove big' }).click()
    await details.save()
    await page.getByText('Labels saved').waitFor()
    const row = bridge.berth.db
      .prepare("SELECT value FROM image_labels WHERE namespace = 'default' AND name = ? AND key = 'env'")
      .pluck()
      .get(DEMO)
    expect(row).toBe('prod')
    await shot('09-details-labels')
  })

  it('filters with containerd syntax, and shows a parse error inline at its position', async () => {
    await details.back()
    await images.setFilter('labels."env"==prod')
    await expect.poll(() => images.names()).toEqual([DEMO])
    await shot('10-images-filtered')
    await images.setFilter('labels.env==prod,,name==x')
    await images.filterError.waitFor()
    expect(await images.filterError.getAttribute('data-position')).toBe('17')
    expect(await images.filterError.textContent()).toMatch(/expected field or quoted/)
    expect(await images.filterError.locator('mark').textContent()).toBe(',')
    await shot('11-images-filter-error')
    await images.setFilter('')
    await expect.poll(() => images.names().then((n) => n.length)).toBe(4)
  })

  it('quick search narrows by name, digest or label value', async () => {
    await images.search.fill('alpine')
    await expect
      .poll(() => images.names())
      .toEqual(['docker.io/library/alpine:3.20', 'docker.io/library/alpine:latest'])
    await images.search.fill('')
    await expect.poll(() => images.names().then((n) => n.length)).toBe(4)
  })

  it('shows every blob in the content view', async () => {
    const content = new ContentPage(page)
    await content.goto()
    await expect.poll(() => content.rows.count()).toBeGreaterThan(30)
    await shot('12-content')
    // Edit a blob's labels: a gc.root label lands on the content record in SQLite.
    const first = content.rows.first()
    const digest = (await first.locator('code').first().getAttribute('title')) as string
    await first.hover()
    await page.getByRole('button', { name: `Edit labels of ${digest}` }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: '+ Add label' }).click()
    await dialog.getByLabel('Label key').last().fill('containerd.io/gc.root')
    await dialog.getByLabel('Value of containerd.io/gc.root').fill('2026-01-01T00:00:00Z')
    await dialog.getByText('reserved: read by containerd itself').last().waitFor()
    await shot('13-content-labels')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Content labels saved').waitFor()
    expect(
      bridge.berth.db
        .prepare(
          "SELECT value FROM content_labels WHERE namespace = 'default' AND digest = ? AND key = 'containerd.io/gc.root'",
        )
        .pluck()
        .get(digest),
    ).toBe('2026-01-01T00:00:00Z')
    await images.goto()
  })

  it('tags an image, and is keyboard reachable: arrows select, Enter opens', async () => {
    await images.select('docker.io/library/alpine:3.20')
    await page.getByRole('button', { name: 'Tag…' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('New image name').fill('docker.io/library/alpine:pinned')
    await dialog.getByRole('button', { name: 'Tag', exact: true }).click()
    await images.row('docker.io/library/alpine:pinned').waitFor()
    await page.getByLabel('Image rows').focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('ArrowDown')
    expect(await page.locator('[role="row"][aria-selected="true"]').getAttribute('data-name')).toBe(
      'docker.io/library/alpine:latest',
    )
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'docker.io/library/alpine:latest' }).waitFor()
    await page.keyboard.press('Tab')
    await details.back()
  })

  it('exports the selection through the native save dialog as a job', async () => {
    bridge.dialogs.save = join(dir, 'export.tar')
    await images.select(DEMO)
    await page.getByRole('button', { name: 'Export…' }).click()
    await page.getByText(`Exported to ${join(dir, 'export.tar')}`).waitFor({ timeout: 20_000 })
    const { statSync } = await import('node:fs')
    expect(statSync(join(dir, 'export.tar')).size).toBeGreaterThan(500_000)
  })

  it('deletes with the bytes it frees, and the image is gone', async () => {
    await images.select('docker.io/library/alpine:3.20')
    const shared = await images.delete()
    expect(await shared.getByTestId('reclaim').textContent()).toBe('0 B')
    await shot('14-delete-shared')
    await shared.getByRole('button', { name: 'Cancel' }).click()
    await images.select(DEMO)
    const dialog = await images.delete()
    expect(await dialog.getByTestId('reclaim').textContent()).not.toBe('0 B')
    await shot('15-delete')
    await dialog.getByRole('button', { name: /^Delete/ }).click()
    await expect.poll(() => images.names()).not.toContain(DEMO)
    expect(await images.names()).toContain('docker.io/library/alpine:pinned')
    expect(bridge.berth.db.prepare('SELECT count(*) FROM images WHERE name = ?').pluck().get(DEMO)).toBe(0)
  })

  it('sees a change made by another process within a second', async () => {
    // Another connection to the same database file: what the berth CLI does.
    const { openBerth } = await import('../../src-main/service/berth')
    const other = openBerth({ root: bridge.berth.root })
    try {
      const img = other.images.get('default', 'ghcr.io/acme/api:2.1')
      other.images.create('default', { name: 'ghcr.io/acme/api:from-cli', labels: {}, target: img.target })
    } finally {
      other.close()
    }
    const t0 = Date.now()
    await images.row('ghcr.io/acme/api:from-cli').waitFor({ timeout: 3000 })
    expect(Date.now() - t0).toBeLessThan(1500)
    await shot('16-images-after-cli')
  })

  it('collects garbage after a preview', async () => {
    await page.getByRole('button', { name: 'Garbage collect…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Garbage collect' })
    await dialog.getByText(/Nothing to collect|unreachable/).waitFor()
    await shot('17-gc')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  it('logged no errors in the page', () => {
    expect(errors).toEqual([])
  })
})
