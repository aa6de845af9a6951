// Page object for the Images view: what a user sees and does there, by role and label.
import type { Locator, Page } from 'playwright-core'

export class ImagesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Images', level: 1 })
  }
  get emptyState(): Locator {
    return this.page.getByRole('region', { name: 'No images yet' })
  }
  get grid(): Locator {
    return this.page.getByRole('grid', { name: 'Images' })
  }
  get rows(): Locator {
    return this.page.locator('.body [role="row"][data-name]')
  }
  row(name: string): Locator {
    return this.page.locator(`.body [role="row"][data-name="${name}"]`)
  }
  get filter(): Locator {
    return this.page.getByLabel('Filter (containerd syntax)')
  }
  get search(): Locator {
    return this.page.getByLabel('Quick search')
  }
  get filterError(): Locator {
    return this.page.locator('#filter-error')
  }

  async goto(): Promise<void> {
    await this.page.getByRole('button', { name: /^Images/ }).click()
    await this.heading.waitFor()
  }
  async names(): Promise<string[]> {
    return this.rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''))
  }
  async importArchive(): Promise<void> {
    await this.page
      .getByRole('button', { name: /^Import/ })
      .first()
      .click()
  }
  async setFilter(text: string): Promise<void> {
    await this.filter.fill(text)
  }
  async select(name: string): Promise<void> {
    await this.row(name).click()
  }
  async open(name: string): Promise<void> {
    await this.row(name).dblclick()
  }
  async delete(): Promise<Locator> {
    await this.page
      .getByRole('toolbar', { name: 'Image actions' })
      .getByRole('button', { name: 'Delete' })
      .click()
    const dialog = this.page.getByRole('dialog')
    await dialog.getByTestId('reclaim').waitFor()
    return dialog
  }
}
