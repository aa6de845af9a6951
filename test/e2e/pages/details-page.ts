// Page object for an image's details: tabs, the platform matrix and the labels editor.
import type { Locator, Page } from 'playwright-core'

export class DetailsPage {
  constructor(readonly page: Page) {}

  tab(name: string): Locator {
    return this.page.getByRole('tab', { name })
  }
  async show(
    name: 'Overview' | 'Platforms' | 'Labels' | 'Content' | 'Config & history' | 'Raw',
  ): Promise<void> {
    await this.tab(name).click()
  }
  get matrix(): Locator {
    return this.page.getByRole('table', { name: 'Platform matrix' })
  }
  get cells(): Locator {
    return this.matrix.locator('button.cell')
  }
  get attestations(): Locator {
    return this.page.getByRole('list', { name: 'Attestations' }).getByRole('listitem')
  }
  get keyInputs(): Locator {
    return this.page.getByLabel('Label key')
  }
  async addLabel(key: string, value: string): Promise<void> {
    await this.page.getByRole('button', { name: '+ Add label' }).click()
    await this.keyInputs.last().fill(key)
    await this.page.getByLabel(`Value of ${key}`).fill(value)
  }
  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save' }).click()
  }
  async back(): Promise<void> {
    await this.page.getByRole('button', { name: '← Images' }).click()
  }
}
