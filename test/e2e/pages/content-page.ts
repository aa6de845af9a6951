// Page object for the Content view.
import type { Locator, Page } from 'playwright-core'

export class ContentPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.getByRole('button', { name: /^Content/ }).click()
    await this.page.getByRole('heading', { name: 'Content', level: 1 }).waitFor()
  }
  get rows(): Locator {
    return this.page.getByRole('table', { name: 'Content blobs' }).locator('tbody tr')
  }
}
