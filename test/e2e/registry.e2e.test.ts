// End to end in Chromium through the loopback bridge against a real docker-registry on 127.0.0.1:
// push an imported image from the UI, delete it, check the remote platforms in the Pull dialog, pull
// one platform back; then log in to a Basic-auth registry over HTTPS (wrong password, right one)
// without the secret ever reaching the page. Screenshots go to test-results/screenshots/2x-*.png.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, writeOCIArchive } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from '../registry/support/certs'
import { hasRegistry, startRegistry, type RunningRegistry } from '../registry/support/registry'
import type { Bridge } from './bridge'
import { startGateProxy, type GateProxy } from './gate-proxy'
import { chromiumMissing } from './harness'
import { ImagesPage } from './pages/images-page'
import { PullDialogPage, PushDialogPage, RegistriesPage } from './pages/registry-page'
import { clearShots, openApp, type AppSession } from './session'

const missing =
  chromiumMissing() ??
  (hasRegistry() ? null : 'docker-registry is not installed (apt-get install docker-registry)')
if (missing) console.log(`[e2e registry] skipped: ${missing}`)

const LOCAL = 'docker.io/library/demo:1.0'
const PASSWORD = 'correct horse battery staple'
const WRONG = 'not-the-password-41'

describe.skipIf(missing !== null)('pull, push and logins in Chromium against docker-registry', () => {
  let dir: string
  let plain: RunningRegistry
  let secured: RunningRegistry
  let gate: GateProxy
  let manifestGate: GateProxy
  let bridge: Bridge
  let app: AppSession
  let page: Page
  let images: ImagesPage
  let errors: string[]
  let remote: string

  const shot = (name: string) => app.shot(name)

  beforeAll(async () => {
    clearShots(/^2\d-/)
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-registry-'))
    writeOCIArchive(join(dir, 'demo.tar'), [
      {
        fixture: multiPlatformImage({
          name: 'demo',
          platforms: ['linux/amd64', 'linux/arm64'],
          layers: 2,
          layerSize: 120_000,
        }),
        name: LOCAL,
      },
    ])
    const tls = makeServerCerts(dir)
    const htpasswd = join(dir, 'htpasswd')
    writeFileSync(htpasswd, `${htpasswdLine('alice', PASSWORD)}\n`)
    ;[plain, secured] = await Promise.all([
      startRegistry(),
      startRegistry({ tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem }, htpasswd }),
    ])
    remote = `${plain.host}/acme/demo:1.0`
    gate = await startGateProxy(plain)
    manifestGate = await startGateProxy(plain, { hold: /\/manifests\// })
    app = await openApp(join(dir, 'root'))
    ;({ bridge, page, errors } = app)
    images = new ImagesPage(page)
    bridge.dialogs.open = join(dir, 'demo.tar')
    await images.importArchive()
    await images.row(LOCAL).waitFor({ timeout: 20_000 })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await gate?.stop()
    await manifestGate?.stop()
    await Promise.all([plain?.stop(), secured?.stop()])
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('pushes the selected image to the registry as a job', async () => {
    await images.select(LOCAL)
    const push = new PushDialogPage(page)
    await push.open()
    expect(await push.dialog.getByLabel('Target reference').inputValue()).toBe(LOCAL)
    await push.dialog.getByLabel('Target reference').fill(remote)
    await shot('22-push-dialog')
    await push.push(remote)
    await page.getByText(`Pushed ${remote}`).waitFor({ timeout: 30_000 })
    const tags = (await (await fetch(`${plain.url}/v2/acme/demo/tags/list`)).json()) as { tags: string[] }
    expect(tags.tags).toEqual(['1.0'])
  })

  it('deletes it locally, then Check shows the remote platforms with the host best match chosen', async () => {
    await images.select(LOCAL)
    const dialog = await images.delete()
    await dialog.getByRole('button', { name: /^Delete/ }).click()
    await expect.poll(() => images.names()).toEqual([])
    const pull = new PullDialogPage(page)
    await pull.open()
    await pull.check('Not A/Valid:Ref!')
    await expect.poll(() => pull.reference.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('#pull-ref-error').textContent()).toMatch(/invalid|reference/i)
    await shot('20-pull-dialog-invalid')
    await pull.check(remote)
    await pull.platforms.waitFor()
    expect(await pull.platform('linux/amd64').isChecked()).toBe(true)
    expect(await pull.platform('linux/arm64').isChecked()).toBe(false)
    expect(await pull.dialog.getByText('best match').count()).toBe(1)
    await shot('20-pull-dialog')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('20-pull-dialog-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('pulls one platform: the image is listed with that platform present and the other missing', async () => {
    const pull = new PullDialogPage(page)
    await pull.pull()
    await images.row(remote).waitFor({ timeout: 30_000 })
    const chip = (p: string) => images.row(remote).locator('.chip', { hasText: p })
    await expect.poll(() => chip('linux/amd64').getAttribute('class')).toMatch(/present/)
    expect(await chip('linux/arm64').getAttribute('class')).toMatch(/missing/)
    await page.waitForTimeout(200)
    await shot('23-pulled')
  })

  it('shows a pull in flight blob by blob, and cancels it: no image is recorded', async () => {
    const slow = `${gate.host}/acme/demo:1.0`
    const pull = new PullDialogPage(page)
    await pull.open()
    await pull.check(slow)
    await pull.platform('linux/arm64').check()
    await pull.platform('linux/amd64').uncheck()
    await pull.pull()
    const label = `Pull ${slow}`
    const blobs = page.getByRole('list', { name: `${label} blobs` })
    await expect.poll(() => gate.held(), { timeout: 20_000 }).toBeGreaterThan(0)
    // index (already there), manifest, config and two layers, the layers held half way.
    await expect.poll(() => blobs.getByRole('listitem').count(), { timeout: 10_000 }).toBe(5)
    await expect.poll(() => blobs.getByTitle(/downloading/).count()).toBe(2)
    const bar = blobs
      .getByTitle(/downloading/)
      .first()
      .locator('progress')
    const [value, max] = await Promise.all([bar.getAttribute('value'), bar.getAttribute('max')])
    expect(Number(value)).toBeGreaterThan(0)
    expect(Number(value)).toBeLessThan(Number(max))
    await shot('25-pull-in-flight')
    await page.getByRole('button', { name: `Cancel ${label}` }).click()
    await page
      .getByRole('region', { name: 'Running jobs' })
      .getByText('cancelled')
      .waitFor({ timeout: 10_000 })
    gate.release()
    expect(await images.names()).toEqual([remote])
    expect(bridge.berth.db.prepare('SELECT count(*) FROM images WHERE name = ?').pluck().get(slow)).toBe(0)
  })

  it('the store host dies during a Check: the call fails as unavailable, the UI says so, the host restarts and the list works', async () => {
    const pull = new PullDialogPage(page)
    await pull.open()
    await pull.check(`${manifestGate.host}/acme/demo:1.0`)
    // The host is waiting for the registry's answer, which the proxy holds.
    await expect.poll(() => manifestGate.held(), { timeout: 20_000 }).toBeGreaterThan(0)
    const before = bridge.host.pid()!
    process.kill(before, 'SIGKILL')
    const error = pull.dialog.getByRole('alert')
    await error.waitFor({ timeout: 10_000 })
    expect(await error.textContent()).toMatch(/store host stopped .* before answering registry\.inspect/)
    const status = page.getByTestId('host-status')
    await status.waitFor({ timeout: 10_000 })
    expect(await status.textContent()).toMatch(/Store restarting…/)
    await shot('26-host-restarting')
    await status.waitFor({ state: 'detached', timeout: 30_000 })
    expect(bridge.host.pid()).not.toBe(before)
    manifestGate.release()
    await pull.dialog.getByRole('button', { name: 'Cancel' }).click()
    // The restarted host answers: the list is there, and Check works again.
    expect(await images.names()).toEqual([remote])
    await pull.open()
    await pull.check(remote)
    await pull.platforms.waitFor()
    await pull.dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  it('logs in to a Basic-auth registry: a wrong password is shown, the right one is listed', async () => {
    const registries = new RegistriesPage(page)
    await registries.goto()
    // The test CA is not the system's: the user allows this registry when Berth asks, once.
    bridge.dialogs.insecure = true
    await registries.add({ host: secured.host, username: 'alice', password: WRONG, insecure: true })
    await registries.error.waitFor({ timeout: 20_000 })
    expect(bridge.dialogs.asked).toEqual([secured.host])
    expect(await registries.error.textContent()).toMatch(/refused the credentials of alice/)
    await shot('24-login-refused')
    await registries.add({ host: secured.host, username: 'alice', password: PASSWORD, insecure: true })
    await registries.login(secured.host).waitFor({ timeout: 20_000 })
    expect(bridge.dialogs.asked).toEqual([secured.host])
    expect(await registries.login(secured.host).textContent()).toMatch(/alice/)
    expect(await registries.error.count()).toBe(0)
    await shot('21-registries')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('21-registries-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    const html = await page.content()
    expect(html).not.toContain(PASSWORD)
    expect(html).not.toContain(WRONG)
    const stored = readFileSync(join(bridge.berth.root, 'logins.json'), 'utf8')
    expect(stored).toContain('alice')
    expect(stored).not.toContain(PASSWORD)
  })

  it('removes the login', async () => {
    const registries = new RegistriesPage(page)
    await page.getByRole('button', { name: `Remove login for ${secured.host}` }).click()
    await registries.login(secured.host).waitFor({ state: 'detached' })
    expect(readFileSync(join(bridge.berth.root, 'logins.json'), 'utf8')).not.toContain('alice')
  })

  it('logged no errors in the page', () => {
    expect(errors).toEqual([])
  })
})
