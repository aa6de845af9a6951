import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { FileDiffEntry, FilesCompareRequest } from '../../../../src-preload/api'
import { app } from '../../lib/state.svelte'
import { installFakeBerth } from '../../test/fake-berth'
import { overview } from '../../test/fake-files'
import CompareView from './CompareView.svelte'

beforeEach(() => app.reset())

const side = { type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: 10, link: '' }
const ALL: FileDiffEntry[] = [
  { path: '/added', change: 'added', b: side, fields: [] },
  { path: '/gone', change: 'removed', a: side, fields: [] },
  {
    path: '/bin/tool',
    change: 'changed',
    a: side,
    b: { ...side, size: 2048, mode: 0o755 },
    fields: ['size', 'mode'],
  },
]

function compare(req: FilesCompareRequest) {
  const entries = req.change ? ALL.filter((e) => e.change === req.change) : ALL
  return {
    added: 1,
    removed: 1,
    changed: 1,
    same: 40,
    total: entries.length,
    entries: entries.slice(req.offset ?? 0),
    sharedLayers: ['sha256:' + '5'.repeat(64)],
    commonBase: 1,
    aLayers: 3,
    bLayers: 2,
  }
}

describe('CompareView', () => {
  it('compares two platforms: counts, shared layers, and what changed in each file', async () => {
    const fake = installFakeBerth({
      'files.layers': (ref) =>
        overview(
          ref.manifest === 'sha256:' + 'f'.repeat(64)
            ? { platform: 'linux/arm64', tree: 'sha256:' + 'b'.repeat(64) }
            : {},
        ),
      'files.compare': compare,
    })
    const { container } = render(CompareView, {
      props: { a: { image: 'demo:1' }, b: { image: 'demo:1', manifest: 'sha256:' + 'f'.repeat(64) } },
    })
    await waitFor(() => expect(container.querySelectorAll('[role="listitem"]')).toHaveLength(3))
    // Contents are not compared: entries with the same metadata are 'alike', and the view says so.
    expect(screen.getByRole('status')).toHaveTextContent('40 alike')
    expect(screen.getByText('40 alike')).toHaveAttribute(
      'title',
      expect.stringMatching(/same type, size, mode, owner and link target.*contents are not compared/i),
    )
    expect(screen.getByRole('status')).toHaveTextContent('1 shared layer (the first 1 of 3 and 2)')
    expect(container.querySelector('[data-path="/bin/tool"]')).toHaveTextContent(
      'size 10 B → 2.0 KiB, mode -rw-r--r-- → -rwxr-xr-x',
    )
    const req = fake.calls.find((c) => c.channel === 'files.compare')!.args[0]
    expect(req).toMatchObject({ a: 'sha256:' + 'c'.repeat(64), b: 'sha256:' + 'b'.repeat(64) })
    await fireEvent.click(screen.getByRole('radio', { name: /Removed 1/ }))
    await waitFor(() => expect(container.querySelectorAll('[role="listitem"]')).toHaveLength(1))
    expect(fake.calls.filter((c) => c.channel === 'files.compare').at(-1)!.args[0]).toMatchObject({
      change: 'removed',
    })
  })

  it('indexes a side that is not indexed yet, then compares', async () => {
    let indexed = false
    const fake = installFakeBerth({
      'files.layers': () => overview(indexed ? {} : { indexed: false }),
      'files.index': () => ({ id: 'ix', kind: 'index' }),
      'files.compare': compare,
    })
    render(CompareView, { props: { a: { image: 'a:1' }, b: { image: 'b:1' } } })
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'files.index')).toHaveLength(1))
    expect(fake.calls.some((c) => c.channel === 'files.compare')).toBe(false)
    await screen.findByText('indexing…')
    indexed = true
    fake.emit('job.done', { id: 'ix', kind: 'index', ok: true })
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'files.compare')).toBe(true))
  })
})

describe('CompareView rows', () => {
  const dir = { ...side, type: 'dir' as const, mode: 0o755, size: 0 }
  const link = { ...side, type: 'symlink' as const, mode: 0o777, size: 0, link: '../lib/x.so.1' }
  const answer = (entries: FileDiffEntry[]) => (req: FilesCompareRequest) => ({
    ...compare(req),
    added: entries.filter((e) => e.change === 'added').length,
    removed: entries.filter((e) => e.change === 'removed').length,
    changed: 0,
    total: entries.length,
    entries,
  })
  const props = { a: { image: 'demo:1' }, b: { image: 'demo:2' } }

  it('says what an added or removed entry is: a size for a file, the kind for a directory or link', async () => {
    installFakeBerth({
      'files.layers': () => overview(),
      'files.compare': answer([
        { path: '/srv', change: 'added', b: dir, fields: [] },
        { path: '/usr/lib/x.so', change: 'removed', a: link, fields: [] },
        { path: '/srv/app.py', change: 'added', b: side, fields: [] },
      ]),
    })
    const { container } = render(CompareView, { props })
    await waitFor(() => expect(container.querySelectorAll('[role="listitem"]')).toHaveLength(3))
    expect(container.querySelector('[data-path="/srv"] .what')).toHaveTextContent(/^directory$/)
    expect(container.querySelector('[data-path="/usr/lib/x.so"] .what')).toHaveTextContent(
      /^symbolic link → \.\.\/lib\/x\.so\.1$/,
    )
    expect(container.querySelector('[data-path="/srv/app.py"] .what')).toHaveTextContent(/^10 B$/)
  })

  it('says two identical trees are the same where the list would be, with no empty list', async () => {
    installFakeBerth({ 'files.layers': () => overview(), 'files.compare': answer([]) })
    render(CompareView, { props })
    await screen.findByText('The two file trees are the same.')
    expect(screen.queryByRole('list', { name: 'Differences' })).toBeNull()
  })
})
