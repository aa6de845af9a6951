// Page objects for the registry side of the app: the Pull and Push dialogs and the Registries page.
import type { Locator, Page } from 'playwright-core'

export class PullDialogPage {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Pull an image' })
  }
  get reference(): Locator {
    return this.dialog.getByLabel('Image reference')
  }
  get platforms(): Locator {
    return this.dialog.getByRole('group', { name: /^Platforms/ })
  }
  platform(p: string): Locator {
    return this.platforms.getByRole('checkbox', { name: new RegExp(`^${p.replace(/\//g, '\\/')}\\b`) })
  }

  async open(): Promise<void> {
    await this.page
      .getByRole('toolbar', { name: 'Image actions' })
      .getByRole('button', { name: 'Pull…' })
      .click()
    await this.dialog.waitFor()
  }
  async check(ref: string): Promise<void> {
    await this.reference.fill(ref)
    await this.dialog.getByRole('button', { name: 'Check' }).click()
  }
  async pull(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Pull', exact: true }).click()
    await this.dialog.waitFor({ state: 'detached' })
  }
}

export class PushDialogPage {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Push / })
  }
  async open(): Promise<void> {
    await this.page
      .getByRole('toolbar', { name: 'Image actions' })
      .getByRole('button', { name: 'Push…' })
      .click()
    await this.dialog.waitFor()
  }
  async push(ref: string): Promise<void> {
    await this.dialog.getByLabel('Target reference').fill(ref)
    await this.dialog.getByRole('button', { name: 'Push', exact: true }).click()
    await this.dialog.waitFor({ state: 'detached' })
  }
}

export class RegistriesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Registries', level: 1 })
  }
  get logins(): Locator {
    return this.page.getByRole('list', { name: 'Registry logins' })
  }
  get error(): Locator {
    return this.page.locator('#login-error')
  }
  login(host: string): Locator {
    return this.page.locator(`[data-host="${host}"]`)
  }

  async goto(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Registries' })
      .click()
    await this.heading.waitFor()
  }
  async add(o: { host: string; username: string; password: string; insecure?: boolean }): Promise<void> {
    await this.page.getByLabel('Registry host').fill(o.host)
    await this.page.getByLabel('Username').fill(o.username)
    await this.page.getByLabel('Password').fill(o.password)
    await this.page.getByRole('checkbox', { name: /plain HTTP/ }).setChecked(o.insecure ?? false)
    await this.page.getByRole('button', { name: 'Log in' }).click()
  }
}
