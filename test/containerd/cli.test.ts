// `berth --address SOCKET images …` as a user runs it (the real CLI, spawned), side by side with ctr on
// the same daemon: the same images and columns, labels and tags that each sees from the other, check and
// inspect, and `images send` / `images receive` between Berth's store and the daemon.
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { berth } from '../cli/cli'
import { startDaemon, type Daemon } from './daemon'

const NS = 'default'
let d: Daemon | undefined
let dir: string
let root: string
const multi = multiPlatformImage({ name: 'multi', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] })
const single = singlePlatformImage({ seed: 'single', layerSize: 5000 })
const mine = singlePlatformImage({ seed: 'mine', layerSize: 7000 })

const on = (...args: string[]) => berth(root, ['--address', d!.address, ...args])
/** A table's rows as arrays of cells (columns split on 2+ spaces, or 1 before the next column). */
const rows = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))

beforeAll(async () => {
  d = await startDaemon()
  if (!d) return
  dir = mkdtempSync(join(tmpdir(), 'bcli-'))
  root = join(dir, 'root')
  writeOCIArchive(join(dir, 'ctr.tar'), [
    { fixture: multi, name: 'docker.io/library/multi:1' },
    { fixture: single, name: 'docker.io/library/single:1' },
  ])
  d.ctr('-n', NS, 'images', 'import', '--all-platforms', '--no-unpack', join(dir, 'ctr.tar'))
  writeOCIArchive(join(dir, 'mine.tar'), [{ fixture: mine, name: 'docker.io/library/mine:1' }])
  expect(berth(root, ['images', 'import', join(dir, 'mine.tar')]).code).toBe(0)
}, 60_000)

afterAll(async () => {
  await d?.dispose()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('berth --address: the daemon’s images beside ctr', () => {
  it('ls has ctr’s rows: REF TYPE DIGEST, PLATFORMS, and a single-platform image’s SIZE', ({ skip }) => {
    if (!d) return skip()
    const r = on('images', 'ls')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^REF +TYPE +DIGEST +SIZE +PLATFORMS +LABELS *$/)
    const ours = rows(r.stdout)
    const theirs = rows(d.ctr('-n', NS, 'images', 'ls'))
    // REF TYPE DIGEST, then SIZE as "<n> <unit>" (two cells), PLATFORMS, LABELS.
    expect(ours.map((x) => x.slice(0, 3))).toEqual(theirs.map((x) => x.slice(0, 3)))
    expect(ours.map((x) => x[5])).toEqual(theirs.map((x) => x[5]))
    const one = (t: string[][]) => t.find((x) => x[0] === 'docker.io/library/single:1')!.slice(3, 5)
    expect(one(ours)).toEqual(one(theirs))
    // CONTAINERD_ADDRESS does what --address does; -q is ctr's -q.
    const env = berth(root, ['images', 'ls', '-q'], { CONTAINERD_ADDRESS: d.address })
    expect(env.stdout).toBe(d.ctr('-n', NS, 'images', 'ls', '-q'))
    // Filters are the daemon's.
    expect(on('images', 'ls', '-q', 'name~=single').stdout).toBe('docker.io/library/single:1\n')
  })

  it('labels each way, tags, and removes with --sync', ({ skip }) => {
    if (!d) return skip()
    expect(on('images', 'label', 'docker.io/library/single:1', 'env=prod').stdout).toBe('env=prod\n')
    expect(d.ctr('-n', NS, 'images', 'ls', 'name==docker.io/library/single:1')).toContain('env=prod')
    d.ctr('-n', NS, 'images', 'label', 'docker.io/library/single:1', 'team=core')
    expect(on('images', 'ls').stdout).toMatch(/single:1 .* env=prod,team=core/)
    expect(on('images', 'tag', 'docker.io/library/single:1', 'single:again').code).toBe(0)
    expect(d.ctr('-n', NS, 'images', 'ls', '-q')).toContain('single:again')
    expect(on('images', 'tag', 'docker.io/library/single:1', 'single:again').stderr).toMatch(/already exists/)
    // Names resolve as Berth's own commands resolve them: single:again is docker.io/library/single:again.
    const rm = on('--json', 'images', 'rm', '--sync', 'single:again', 'nope:1')
    expect(JSON.parse(rm.stdout)).toMatchObject({
      removed: ['docker.io/library/single:again'],
      notFound: ['nope:1'],
    })
    expect(d.ctr('-n', NS, 'images', 'ls', '-q')).not.toContain('single:again')
  })

  it('check and inspect read the daemon’s content', ({ skip }) => {
    if (!d) return skip()
    const c = on('images', 'check')
    expect(c.code, c.stderr).toBe(0)
    expect(c.stdout).toMatch(/docker.io\/library\/multi:1 .* complete \(\d+\/\d+\)/)
    const i = on('--json', 'images', 'inspect', 'docker.io/library/multi:1', '--platform', 'linux/arm64')
    expect(i.code, i.stderr).toBe(0)
    expect(JSON.parse(i.stdout)).toMatchObject({ platform: 'linux/arm64', diffIds: multi.images[1].diffIds })
    // A blob gone from the daemon with no image changed (the mirror was synced by the check above).
    d.ctr('-n', NS, 'content', 'rm', single.images[0].layers[0].desc.digest)
    expect(d.ctr('-n', NS, 'images', 'check', 'name==docker.io/library/single:1')).toMatch(/incomplete/)
    const again = on('images', 'check', 'name==docker.io/library/single:1')
    expect(again.stdout).toMatch(/docker.io\/library\/single:1 .* incomplete \(\d+\/\d+\)/)
  })

  it('send puts an image of Berth’s store into the daemon; receive brings one back', ({ skip }) => {
    if (!d) return skip()
    const s = on('images', 'send', 'docker.io/library/mine:1', '--no-progress')
    expect(s.code, s.stderr).toBe(0)
    expect(d.ctr('-n', NS, 'images', 'check', 'name==docker.io/library/mine:1')).toMatch(/complete/)
    const r = on(
      'images',
      'receive',
      'docker.io/library/multi:1',
      '--platform',
      'linux/arm64',
      '--no-progress',
    )
    expect(r.code, r.stderr).toBe(0)
    const local = JSON.parse(
      berth(root, ['--json', 'images', 'ls', 'name==docker.io/library/multi:1']).stdout,
    )
    expect(local).toMatchObject([
      { digest: multi.target.digest, platforms: ['linux/amd64', 'linux/arm/v7', 'linux/arm64'] },
    ])
    const checked = JSON.parse(
      berth(root, ['--json', 'images', 'check', 'name==docker.io/library/multi:1']).stdout,
    )
    const byPlatform = Object.fromEntries(
      checked[0].platforms.map((p: { platform: string; complete: boolean }) => [p.platform, p.complete]),
    )
    expect(byPlatform).toEqual({ 'linux/amd64': false, 'linux/arm64': true, 'linux/arm/v7': false })
  })

  it('a daemon that is not there: one line naming the socket, exit 1', ({ skip }) => {
    if (!d) return skip()
    // What only Berth's store does is a usage error with --address, not a silent act on the store.
    const gc = on('gc')
    expect(gc.code).toBe(2)
    expect(gc.stderr).toMatch(/gc works on Berth's store: --address applies to the image commands/)
    const r = berth(root, ['--address', join(dir, 'none.sock'), 'images', 'ls'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `berth: containerd is not running at ${join(dir, 'none.sock')} (no socket there): start containerd, or give its socket with --address\n`,
    )
  })
})
