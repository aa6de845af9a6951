// Files and Compare at the sizes people meet: an image shaped like a distribution base plus an
// application (a dozen layers, long RUN commands, thousands of files with deep paths), seen at the app's
// default window (1280×800) and at its smallest (820×520, main's minWidth/minHeight). What is checked is
// what makes the views usable there: the tree keeps room for names, a compared path keeps its file name
// in view. Screenshots go to test-results/screenshots/files-sizes-*.png.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeOCIArchive } from '../fixtures/images'
import { stackedImage, whiteout, type StackedLayer, type TarSpec } from '../fixtures/layers'
import { chromiumMissing } from './harness'
import { clearShots, dismissToasts, openApp, type AppSession } from './session'
import { ImagesPage } from './pages/images-page'

const missing = chromiumMissing()
if (missing) console.log(`[e2e] skipped: ${missing}`)

const V1 = 'registry.example.com/team/payments-service:1.4.2'
const V2 = 'registry.example.com/team/payments-service:1.5.0'
const SITE = 'usr/local/lib/python3.12/site-packages'
const INSTALL =
  'RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl libpq5 libssl3 tzdata; rm -rf /var/lib/apt/lists/*'

/** `n` files of a package under site-packages, with the directories they need. */
function pkg(name: string, n: number, tag = ''): TarSpec[] {
  const out: TarSpec[] = [{ path: `${SITE}/${name}/`, type: 'dir' }]
  for (const sub of ['', '_internal/', '_internal/backends/']) {
    if (sub) out.push({ path: `${SITE}/${name}/${sub}`, type: 'dir' })
    for (let i = 0; i < n; i++)
      out.push({
        path: `${SITE}/${name}/${sub}module_${i}_implementation.py`,
        data: `# ${name} ${i}${tag}\n`,
      })
  }
  return out
}

function layers(version: string): StackedLayer[] {
  const base: TarSpec[] = [
    { path: 'etc/', type: 'dir' },
    { path: 'etc/os-release', data: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    { path: 'usr/', type: 'dir' },
    { path: 'usr/share/', type: 'dir' },
    { path: 'usr/share/doc/', type: 'dir' },
    { path: 'var/', type: 'dir' },
    { path: 'var/lib/', type: 'dir' },
    { path: 'var/lib/apt/', type: 'dir' },
    { path: 'var/lib/apt/lists/', type: 'dir' },
    {
      path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages',
      data: 'x'.repeat(9000),
    },
  ]
  for (let p = 0; p < 400; p++) {
    base.push({ path: `usr/share/doc/libpackage-number-${p}-common/`, type: 'dir' })
    base.push({ path: `usr/share/doc/libpackage-number-${p}-common/copyright`, data: `package ${p}\n` })
    base.push({ path: `usr/share/doc/libpackage-number-${p}-common/changelog.Debian.gz`, data: `log ${p}\n` })
  }
  const python: TarSpec[] = [
    { path: 'usr/local/', type: 'dir' },
    { path: 'usr/local/lib/', type: 'dir' },
    { path: 'usr/local/lib/python3.12/', type: 'dir' },
    { path: `${SITE}/`, type: 'dir' },
  ]
  return [
    {
      entries: base,
      command:
        '/bin/sh -c #(nop) ADD file:6b4c2a0e8d9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b in / ',
    },
    {
      entries: [
        whiteout('var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'),
      ],
      command: INSTALL,
    },
    { entries: python, command: 'RUN /bin/sh -c pip install --no-cache-dir --upgrade pip setuptools wheel' },
    {
      entries: pkg('sqlalchemy', 120),
      command: 'RUN /bin/sh -c pip install --no-cache-dir sqlalchemy==2.0.30',
    },
    {
      entries: pkg('pydantic', 90),
      command: 'RUN /bin/sh -c pip install --no-cache-dir pydantic==2.7.1 pydantic-core==2.18.2',
    },
    {
      entries: pkg('cryptography', 80),
      command: 'RUN /bin/sh -c pip install --no-cache-dir cryptography==42.0.7',
    },
    {
      entries: pkg('payments_service', version === '1.4.2' ? 60 : 65, version),
      command: `COPY dist/payments_service-${version}-py3-none-any.whl /tmp/ # buildkit`,
    },
    {
      entries: [
        { path: 'srv/', type: 'dir' },
        { path: 'srv/config.yaml', data: `version: ${version}\n` },
      ],
      command: 'COPY config.yaml /srv/config.yaml # buildkit',
    },
  ]
}

describe.skipIf(missing !== null)('Files and Compare at realistic sizes', () => {
  let dir: string
  let app: AppSession
  let page: Page
  let images: ImagesPage

  const widthOf = async (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((el) => el.getBoundingClientRect().width)

  beforeAll(async () => {
    clearShots(/^files-sizes-/)
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-files-sizes-'))
    const empty = [
      { before: 1, command: 'ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1' },
      { before: 6, command: 'WORKDIR /srv' },
      { before: 8, command: 'CMD ["python", "-m", "payments_service"]' },
    ]
    writeOCIArchive(join(dir, 'app.tar'), [
      { fixture: stackedImage(V1, layers('1.4.2'), { empty }), name: V1 },
      { fixture: stackedImage(V2, layers('1.5.0-rc.1'), { empty }), name: V2 },
    ])
    app = await openApp(join(dir, 'root'))
    page = app.page
    images = new ImagesPage(page)
    app.bridge.dialogs.open = join(dir, 'app.tar')
    await images.importArchive()
    await images.row(V2).waitFor({ timeout: 20_000 })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  for (const [label, width, height] of [
    ['default', 1280, 800],
    ['smallest', 820, 520],
  ] as const) {
    it(`Files at the ${label} window (${width}×${height}) leaves the tree room for names`, async () => {
      await page.setViewportSize({ width, height })
      await images.goto()
      await images.open(V1)
      await page.getByRole('tab', { name: 'Files' }).click()
      await page.locator('[role="treeitem"][data-path="/usr"]').waitFor({ timeout: 30_000 })
      await page.getByRole('button', { name: /pip install --no-cache-dir sqlalchemy/ }).click()
      for (const p of [
        '/usr',
        '/usr/local',
        '/usr/local/lib',
        '/usr/local/lib/python3.12',
        `/${SITE}`,
        `/${SITE}/sqlalchemy`,
      ])
        await page
          .locator(`[role="treeitem"][data-path="${p}"]`)
          .getByRole('button', { name: /^Open / })
          .click()
      await page.locator(`[role="treeitem"][data-path="/${SITE}/sqlalchemy/_internal"]`).click()
      await dismissToasts(page)
      await app.shot(`files-sizes-${label}-tree`)
      expect(await widthOf('[role="treeitem"] .name')).toBeGreaterThanOrEqual(200)
      await page.getByRole('tab', { name: 'Wasted space' }).click()
      await page.getByTestId('wasted-total').waitFor()
      const side = await page.locator('aside.side').boundingBox()
      expect(side && side.x + side.width).toBeLessThanOrEqual(width)
      await dismissToasts(page)
      await app.shot(`files-sizes-${label}-wasted`)
    })

    it(`Compare from the Images list at the ${label} window keeps file names in view`, async () => {
      await images.goto()
      await images.select(V1)
      await images.row(V2).click({ modifiers: ['Control'] })
      await page
        .getByRole('toolbar', { name: 'Image actions' })
        .getByRole('button', { name: 'Compare' })
        .click()
      const list = page.getByRole('list', { name: 'Differences' })
      const path = `/${SITE}/payments_service/_internal/backends/module_64_implementation.py`
      await list.locator('[role="listitem"]').first().waitFor({ timeout: 30_000 })
      await page.getByRole('radio', { name: /Added/ }).click()
      const cell = list.locator(`[data-path="${path}"] > :nth-child(2)`)
      await dismissToasts(page)
      await app.shot(`files-sizes-${label}-compare`)
      await cell.waitFor({ timeout: 10_000 })
      // The path's last character is drawn inside its cell: a cut path loses its head, not its name.
      const tail = await cell.evaluate((el) => {
        const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
        let text = walk.nextNode() as Text
        for (let n = walk.nextNode(); n; n = walk.nextNode()) text = n as Text
        const r = document.createRange()
        r.setStart(text, text.length - 1)
        r.setEnd(text, text.length)
        const c = r.getBoundingClientRect()
        const box = el.getBoundingClientRect()
        return {
          inside: c.left >= box.left - 1 && c.right <= box.right + 1,
          cut: el.scrollWidth > el.clientWidth,
        }
      })
      expect(tail.inside).toBe(true)
    })
  }

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
