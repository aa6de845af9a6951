import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { FilesListRequest } from '../../../../src-preload/api'
import { app } from '../../lib/state.svelte'
import { installFakeBerth } from '../../test/fake-berth'
import { entry, fakeTree, overview, TREE } from '../../test/fake-files'
import FilesTab from './FilesTab.svelte'

beforeEach(() => app.reset())

const rowNames = (c: HTMLElement) =>
  [...c.querySelectorAll('[role="treeitem"]')].map((r) => r.getAttribute('data-path'))

describe('FilesTab', () => {
  it('lists the layers with their commands and the empty ones, beside the merged tree', async () => {
    installFakeBerth({ 'files.layers': () => overview(), 'files.list': fakeTree(2) })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    const layers = await screen.findByRole('navigation', { name: 'Layers' })
    expect(layers).toHaveTextContent('ADD rootfs.tar /')
    expect(layers).toHaveTextContent('ENV A=1')
    expect(layers).toHaveTextContent('empty layer')
    expect(screen.getByText('75.0 %')).toBeInTheDocument()
    await waitFor(() => expect(rowNames(container)).toEqual(['/dir00000', '/dir00001', '/var']))
  })

  it('holds only the visible rows of a 100,000-entry directory in the DOM', async () => {
    const fake = installFakeBerth({ 'files.layers': () => overview(), 'files.list': fakeTree(100_000) })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await waitFor(() => expect(rowNames(container).length).toBeGreaterThan(0))
    expect(container.querySelectorAll('[role="treeitem"]').length).toBeLessThan(100)
    const lists = fake.calls.filter((c) => c.channel === 'files.list')
    expect(lists).toHaveLength(1)
    expect((lists[0].args[0] as FilesListRequest).limit).toBe(200)
    const tree = screen.getByRole('tree', { name: 'Files' })
    expect(tree.firstElementChild).toHaveStyle({ height: `${100_001 * 26}px` })
  })

  it('starts indexing by itself, shows its progress, and the tree once it is done', async () => {
    let indexed = false
    const fake = installFakeBerth({
      'files.layers': () => overview(indexed ? {} : { indexed: false, totals: null }),
      'files.index': () => ({ id: 'job-1', kind: 'index' }),
      'files.list': fakeTree(1),
    })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'files.index')).toBe(true))
    await screen.findByText(/starting/)
    fake.emit('job.progress', {
      id: 'job-1',
      kind: 'index',
      phase: 'reading layer 1 of 3',
      done: 10,
      total: 40,
    })
    expect(await screen.findByText(/reading layer 1 of 3/)).toBeInTheDocument()
    indexed = true
    fake.emit('job.done', { id: 'job-1', kind: 'index', ok: true, images: ['demo:1'] })
    await waitFor(() => expect(rowNames(container)).toEqual(['/dir00000', '/var']))
    expect(app.jobs.map((j) => j.kind)).toEqual(['index'])
  })

  it('cancels indexing, and offers to index again afterwards', async () => {
    let jobs = 0
    const fake = installFakeBerth({
      'files.layers': () => overview({ indexed: false, totals: null }),
      'files.index': () => ({ id: `job-${++jobs}`, kind: 'index' }),
      'jobs.cancel': () => ({ cancelled: true }),
    })
    render(FilesTab, { props: { name: 'demo:1' } })
    await screen.findByText(/starting/)
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(fake.calls.find((c) => c.channel === 'jobs.cancel')?.args[0]).toEqual({ id: 'job-1' })
    fake.emit('job.done', {
      id: 'job-1',
      kind: 'index',
      ok: false,
      error: { kind: 'cancelled', message: 'cancelled' },
    })
    const again = await screen.findByRole('button', { name: 'Index files' })
    expect(screen.queryByRole('alert')).toBeNull()
    await fireEvent.click(again)
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'files.index')).toHaveLength(2))
  })

  it('shows the tree when indexing ended before files.index answered', async () => {
    let indexed = false
    const fake = installFakeBerth({
      'files.layers': () => overview(indexed ? {} : { indexed: false, totals: null }),
      'files.index': () => {
        // The job runs on the next tick; the bridge's event can beat the call's answer.
        indexed = true
        fake.emit('job.done', { id: 'job-2', kind: 'index', ok: true, images: ['demo:1'] })
        return { id: 'job-2', kind: 'index' }
      },
      'files.list': fakeTree(1),
    })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await waitFor(() => expect(rowNames(container)).toEqual(['/dir00000', '/var']))
    expect(screen.queryByRole('status')).toBeNull()
  })

  it("shows a layer's view with what it removed marked, and only its changes on request", async () => {
    const lists: FilesListRequest[] = []
    const tree = fakeTree(1)
    installFakeBerth({
      'files.layers': () => overview(),
      'files.list': (req) => {
        lists.push(req)
        return tree(req)
      },
    })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await fireEvent.click(await screen.findByRole('button', { name: /RUN rm -rf \/var\/cache/ }))
    await waitFor(() => expect(rowNames(container)).toContain('/var'))
    expect(lists.at(-1)).toMatchObject({ layer: 1, dir: '/' })
    await fireEvent.dblClick(container.querySelector('[data-path="/var"]')!)
    await waitFor(() => expect(rowNames(container)).toContain('/var/cache'))
    await fireEvent.click(screen.getByRole('button', { name: 'Open cache' }))
    await waitFor(() => expect(rowNames(container)).toContain('/var/cache/big.bin'))
    const removed = container.querySelector('[data-path="/var/cache/big.bin"]')!
    expect(removed).toHaveClass('removed')
    expect(removed).toHaveTextContent(/R\s*big\.bin/)
    await fireEvent.click(screen.getByRole('checkbox', { name: /Only changes/ }))
    await waitFor(() => expect(lists.at(-1)).toMatchObject({ layer: 1, onlyChanges: true, dir: '/' }))
  })

  it('previews the picked file, and saves it where the save dialog says', async () => {
    const fake = installFakeBerth({
      'files.layers': () => overview(),
      'files.list': fakeTree(1),
      'files.read': (req) => ({
        path: req.path,
        type: 'file',
        size: 12,
        description: 'text',
        kind: 'text',
        text: 'hello world\n',
        hex: null,
        truncated: false,
      }),
      'dialogs.saveFile': () => '/home/me/notes.txt',
      'files.save': () => ({ id: 'save-1', kind: 'save' }),
    })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await waitFor(() => expect(rowNames(container)).toContain('/dir00000'))
    await fireEvent.dblClick(container.querySelector('[data-path="/dir00000"]')!)
    await waitFor(() => expect(rowNames(container)).toContain('/dir00000/notes.txt'))
    await fireEvent.click(container.querySelector('[data-path="/dir00000/notes.txt"]')!)
    expect(await screen.findByLabelText('Contents')).toHaveTextContent('hello world')
    await fireEvent.contextMenu(container.querySelector('[data-path="/dir00000/notes.txt"]')!)
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Save…' }))
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'files.save')).toBe(true))
    const save = fake.calls.find((c) => c.channel === 'files.save')!.args[0]
    expect(save).toEqual({
      namespace: 'default',
      tree: TREE,
      entry: '/dir00000/notes.txt',
      path: '/home/me/notes.txt',
    })
    expect(fake.calls.find((c) => c.channel === 'dialogs.saveFile')!.args[0]).toMatchObject({
      defaultName: 'notes.txt',
    })
  })

  it('shows hostile names escaped', async () => {
    installFakeBerth({ 'files.layers': () => overview(), 'files.list': fakeTree(1) })
    const { container } = render(FilesTab, { props: { name: 'demo:1' } })
    await waitFor(() => expect(rowNames(container)).toContain('/dir00000'))
    await fireEvent.dblClick(container.querySelector('[data-path="/dir00000"]')!)
    await waitFor(() => expect(container.textContent).toContain('evil\\x1b[31mname'))
    expect(container.textContent).not.toContain('\u001b')
  })

  it('searches after a pause in typing, and lists the matches', async () => {
    const fake = installFakeBerth({
      'files.layers': () => overview(),
      'files.list': fakeTree(1),
      'files.search': () => ({ total: 1, entries: [entry('/etc/passwd')] }),
    })
    render(FilesTab, { props: { name: 'demo:1' } })
    const box = await screen.findByRole('searchbox', { name: 'Find files' })
    await fireEvent.input(box, { target: { value: 'pass*' } })
    expect(await screen.findByText('1 match')).toBeInTheDocument()
    expect(fake.calls.filter((c) => c.channel === 'files.search').map((c) => c.args[0])).toEqual([
      { namespace: 'default', tree: TREE, pattern: 'pass*', mode: 'glob', offset: 0, limit: 200 },
    ])
    const results = screen.getByRole('listbox', { name: 'Search results' })
    expect(results.querySelector('[role="option"]')).toHaveTextContent('/etc/passwd')
  })

  it('shows the wasted-space panel with the biggest offenders', async () => {
    installFakeBerth({
      'files.layers': () => overview(),
      'files.list': fakeTree(1),
      'files.wasted': () => ({
        allBytes: 100_000,
        wastedBytes: 50_000,
        efficiency: 0.5,
        paths: 1,
        top: [{ path: '/var/cache/big.bin', versions: 1, bytes: 50_000, layers: [0] }],
      }),
    })
    render(FilesTab, { props: { name: 'demo:1' } })
    await fireEvent.click(await screen.findByRole('tab', { name: 'Wasted space' }))
    expect(await screen.findByTestId('wasted-total')).toHaveTextContent('49 KiB in 1 path')
    expect(screen.getByRole('table', { name: 'Biggest offenders' })).toHaveTextContent('/var/cache/big.bin')
  })
})
