import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ImagePage, ImageSummary } from '../../../src-preload/api'
import { app } from '../lib/state.svelte'
import { FakeError, installFakeBerth, summary } from '../test/fake-berth'
import ImagesView from './ImagesView.svelte'

const N = 10_000
const all: ImageSummary[] = Array.from({ length: N }, (_, i) =>
  summary(`registry.example/app${String(i).padStart(5, '0')}:v1`),
)

beforeEach(() => app.reset())

describe('ImagesView', () => {
  it('holds only the visible rows of 10,000 in the DOM, loading pages on demand', async () => {
    const fake = installFakeBerth({
      'images.list': (req) => ({
        items: all.slice(req.offset ?? 0, (req.offset ?? 0) + (req.limit ?? 100)),
        total: N,
        namespaceTotal: N,
      }),
    })
    const { container } = render(ImagesView)
    await waitFor(() =>
      expect(container.querySelectorAll('[role="row"][data-name]').length).toBeGreaterThan(0),
    )
    expect(container.querySelectorAll('[role="row"]').length).toBeLessThan(200)
    expect(screen.getByRole('grid', { name: 'Images' })).toHaveAttribute('aria-rowcount', String(N + 1))
    const lists = fake.calls.filter((c) => c.channel === 'images.list')
    expect(lists.every((c) => (c.args[0] as { limit: number }).limit <= 200)).toBe(true)
  })

  it('tells a new user what to do when the namespace is empty', async () => {
    installFakeBerth({ 'images.list': () => ({ items: [], total: 0, namespaceTotal: 0 }) })
    render(ImagesView)
    expect(await screen.findByRole('region', { name: 'No images yet' })).toHaveTextContent(
      'Import an image archive',
    )
  })

  it('selects with the keyboard and shows the bytes a delete frees', async () => {
    const fake = installFakeBerth({
      'images.list': (req) => ({
        items: all.slice(0, 3).slice(req.offset ?? 0),
        total: 3,
        namespaceTotal: 3,
      }),
      'images.removePreview': (req) => ({ names: req.names, reclaimBytes: 5 * 1024 * 1024, blobs: 4 }),
    })
    const { container } = render(ImagesView)
    await waitFor(() => expect(container.querySelectorAll('[role="row"][data-name]').length).toBe(3))
    const rows = container.querySelector('.body') as HTMLElement
    await fireEvent.keyDown(rows, { key: 'ArrowDown' })
    await fireEvent.keyDown(rows, { key: 'ArrowDown', shiftKey: true })
    expect(container.querySelectorAll('[aria-selected="true"]').length).toBe(2)
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    expect(await screen.findByTestId('reclaim')).toHaveTextContent('5.0 MiB')
    const preview = fake.calls.find((c) => c.channel === 'images.removePreview')
    expect((preview?.args[0] as { names: string[] }).names).toEqual([all[1].name, all[2].name])
  })

  it('keeps the dialog the user opened next when a cancelled delete preview fails late', async () => {
    let failPreview: (e: Error) => void = () => {}
    installFakeBerth({
      'images.list': () => ({ items: all.slice(0, 1), total: 1, namespaceTotal: 1 }),
      'images.removePreview': () => new Promise((_, reject) => (failPreview = reject)),
      'gc.preview': () => ({ dryRun: true, blobs: 0, bytes: 0, digests: [] }),
    })
    const { container } = render(ImagesView)
    await waitFor(() => expect(container.querySelectorAll('[role="row"][data-name]').length).toBe(1))
    await fireEvent.click(container.querySelector('[role="row"][data-name]') as HTMLElement)
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }))
    await fireEvent.click(screen.getByRole('button', { name: 'Garbage collect…' }))
    await screen.findByRole('dialog', { name: 'Garbage collect' })
    failPreview(new FakeError('unavailable', 'store busy'))
    await new Promise((r) => setTimeout(r, 20))
    expect(screen.getByRole('dialog', { name: 'Garbage collect' })).toBeInTheDocument()
  })

  /** A namespace of five whose list answers `filtered` to any filter, and the filter typed in. */
  async function typeFilter(value: string, filtered: Partial<ImagePage>): Promise<void> {
    installFakeBerth({
      'images.list': (req) =>
        req.filter
          ? { items: [], total: 0, namespaceTotal: 5, ...filtered }
          : { items: all.slice(0, 5), total: 5, namespaceTotal: 5 },
    })
    render(ImagesView)
    await fireEvent.input(screen.getByLabelText('Filter (containerd syntax)'), { target: { value } })
  }

  it('shows a filter parse error inline', async () => {
    await typeFilter('x=', {
      filterError: { message: 'filters: parse error: [x >|=|< ]: expected', position: 1 },
    })
    expect(await screen.findByRole('alert')).toHaveAttribute('data-position', '1')
  })

  it('on a containerd source: no import, pull, push, export or GC; Copy to… instead, and Compare (Files read through the daemon)', async () => {
    app.sources = [
      { id: 'berth', kind: 'berth', name: 'Berth', active: false },
      {
        id: 'cd',
        kind: 'containerd',
        name: 'containerd · default',
        address: '/c.sock',
        namespace: 'default',
        active: true,
      },
    ]
    installFakeBerth({ 'images.list': () => ({ items: all.slice(0, 2), total: 2, namespaceTotal: 2 }) })
    render(ImagesView)
    const bar = await screen.findByRole('toolbar', { name: 'Image actions' })
    const names = [...bar.querySelectorAll('button')].map((b) => b.textContent?.trim())
    expect(names).toEqual(['Copy to…', 'Tag…', 'Compare', 'Delete'])
  })

  it('an empty containerd namespace says where its images come from', async () => {
    app.sources = [
      { id: 'cd', kind: 'containerd', name: 'containerd · default', address: '/c.sock', active: true },
    ]
    installFakeBerth({ 'images.list': () => ({ items: [], total: 0, namespaceTotal: 0 }) })
    render(ImagesView)
    expect(await screen.findByRole('region', { name: 'No images yet' })).toHaveTextContent(
      'containerd at /c.sock',
    )
  })

  it('compares the files of the two selected images', async () => {
    installFakeBerth({ 'images.list': () => ({ items: all.slice(0, 3), total: 3, namespaceTotal: 3 }) })
    const { container } = render(ImagesView)
    await waitFor(() => expect(container.querySelectorAll('[role="row"][data-name]').length).toBe(3))
    const compare = screen.getByRole('button', { name: 'Compare' })
    expect(compare).toBeDisabled()
    const rows = container.querySelectorAll('[role="row"][data-name]')
    await fireEvent.click(rows[0] as HTMLElement)
    await fireEvent.click(rows[2] as HTMLElement, { ctrlKey: true })
    await fireEvent.click(compare)
    expect(app.view).toEqual({ name: 'compare', a: { image: all[0].name }, b: { image: all[2].name } })
  })

  it('says why a filter that parses lists nothing when its regular expression does not compile', async () => {
    await typeFilter('name~=(', {
      filterWarnings: [
        {
          expression: 'name~=(',
          message: 'name~=( matches nothing: error parsing regexp: missing closing ): `(`',
        },
      ],
    })
    expect(await screen.findByRole('status', { name: 'Filter warnings' })).toHaveTextContent(
      'missing closing )',
    )
    expect(screen.queryByRole('alert')).toBeNull()
  })
})
