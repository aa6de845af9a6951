// The Files use cases through the handlers the app and the e2e bridge call, on a real store: a generated
// two-platform image imported as an archive, its files indexed by a job, then listed, searched, read,
// saved (a file, and a directory as a tar that GNU tar unpacks to the merged tree), and compared.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Events, FilesOverview, JobDone } from '../../src-preload/api'
import { createDispatch } from '../../src-main/host/dispatch'
import { openBerth, type Berth } from '../../src-main/service/berth'
import type { Handlers } from '../../src-main/service/index'
import { testHandlers, waitJob as waitRecorded, type Recorded } from './handlers'
import { subtree } from '../../src-main/core/files/listing'
import { findTree } from '../../src-main/core/files/tree-store'
import { writeOCIArchive } from '../fixtures/images'
import { stackedIndex, stackedPlatform } from '../fixtures/layers'
import { BIG, DEMO_EMPTY, DEMO_LAYERS } from '../files/demo-image'
import { seenOf, walkDir } from '../files/helpers'

const NAME = 'docker.io/library/demo:2'
const HOST = { os: 'linux', architecture: 'amd64' }
let dir: string
let berth: Berth
let h: Handlers
const events: Recorded[] = []

const waitJob = (id: string): Promise<JobDone> => waitRecorded(events, id)

const amd64 = stackedPlatform(DEMO_LAYERS, { platform: 'linux/amd64', empty: DEMO_EMPTY })
const arm64 = stackedPlatform(
  [
    DEMO_LAYERS[0],
    {
      entries: [
        { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/ash\n' },
        { path: 'usr/bin/tool', data: 'an arm64 tool, much smaller\n', mode: 0o755 },
        { path: 'usr/bin/arm-only', data: 'arm\n', mode: 0o700, uid: 7 },
      ],
      command: 'RUN arm things',
    },
  ],
  { platform: 'linux/arm64' },
)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-files-svc-'))
  berth = openBerth({ root: join(dir, 'root'), host: HOST })
  h = testHandlers(berth, events)
  writeOCIArchive(join(dir, 'demo.tar'), [{ fixture: stackedIndex(NAME, [amd64, arm64]), name: NAME }])
  const done = await waitJob(
    (await h['images.import']({ namespace: 'default', path: join(dir, 'demo.tar') })).id,
  )
  expect(done.ok, JSON.stringify(done.error)).toBe(true)
})

afterAll(() => {
  berth?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function indexed(ref: { platform?: string } = {}): Promise<FilesOverview> {
  const job = await h['files.index']({ namespace: 'default', name: NAME, ...ref })
  expect(job.kind).toBe('index')
  const done = await waitJob(job.id)
  expect(done.ok, JSON.stringify(done.error)).toBe(true)
  return h['files.layers']({ namespace: 'default', name: NAME, ...ref })
}

describe('files.layers and files.index', () => {
  it('lists the layers with their history before indexing, then what each changed', async () => {
    const before = await h['files.layers']({ namespace: 'default', name: NAME })
    expect(before).toMatchObject({ platform: 'linux/amd64', indexed: false, totals: null, blocked: null })
    expect(before.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(before.layers.map((l) => [l.command, l.indexed, l.changes])).toEqual([
      ['/bin/sh -c #(nop) ADD file:base in /', false, null],
      ['RUN rm -rf /var/cache/big.bin /opt/app && adduser app', false, null],
      ['RUN echo small now > /var/cache/big.bin', false, null],
    ])
    expect(before.history.map((e) => [e.command, e.layer])).toEqual([
      ['/bin/sh -c #(nop) ADD file:base in /', 0],
      ['ENV APP=1', null],
      ['RUN rm -rf /var/cache/big.bin /opt/app && adduser app', 1],
      ['RUN echo small now > /var/cache/big.bin', 2],
      ['CMD ["/bin/sh"]', null],
    ])
    const label = async () =>
      (await berth.content.info('default', amd64.layers[0].desc.digest)).labels['containerd.io/uncompressed']
    expect(await label()).toBeUndefined()
    const after = await indexed()
    expect(after.indexed).toBe(true)
    // As containerd does: a diff ID proven by hashing is cached on its blob.
    expect(await label()).toBe(amd64.diffIds[0])
    expect(after.tree).toBe(before.tree)
    expect(after.layers[1].changes).toMatchObject({ removed: 7, modified: 3 })
    expect(after.layers[0].tarSize).toBe(amd64.layers[0].uncompressed.length)
    expect(after.totals?.wastedBytes).toBeGreaterThan(BIG.length)
  })

  it('reports the progress of reading the layers, in bytes', () => {
    const progress = events
      .filter((e) => e.event === 'job.progress')
      .map((e) => e.payload as Events['job.progress'])
    expect(progress.length).toBeGreaterThan(0)
    const last = progress.at(-1) as Events['job.progress']
    expect(last.kind).toBe('index')
    expect(last.done).toBe(last.total)
  })

  it('indexes the other platform reading only its own layer: the base is shared', async () => {
    const count = () => berth.db.prepare('SELECT count(*) FROM file_layers WHERE complete = 1').pluck().get()
    expect(count()).toBe(3)
    const arm = await indexed({ platform: 'linux/arm64' })
    expect(arm.platform).toBe('linux/arm64')
    expect(count()).toBe(4)
  })

  it('fails at once for what cannot be indexed', async () => {
    await expect(h['files.index']({ namespace: 'default', name: 'nope' })).rejects.toMatchObject({
      kind: 'not-found',
    })
    await expect(
      h['files.index']({ namespace: 'default', name: NAME, platform: 'linux/s390x' }),
    ).rejects.toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/no manifest for platform linux\/s390x/),
    })
    await expect(
      h['files.index']({ namespace: 'default', name: NAME, platform: 'linux//x' }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
    })
  })
})

describe('reading the tree', () => {
  let tree: string
  beforeAll(async () => {
    tree = (await h['files.layers']({ namespace: 'default', name: NAME })).tree as string
  })

  it('lists a directory page, and a layer with only its changes', async () => {
    const root = await h['files.list']({ namespace: 'default', tree, dir: '/', limit: 3 })
    expect(root).toMatchObject({ dir: '/', total: 9, offset: 0 })
    expect(root.entries.map((e) => e.path)).toEqual(['/dev', '/etc', '/home'])
    const l1 = await h['files.list']({
      namespace: 'default',
      tree,
      dir: '/var/cache',
      layer: 1,
      onlyChanges: true,
    })
    expect(l1.entries.map((e) => [e.name, e.change])).toEqual([
      ['big.bin', 'removed'],
      ['old', 'modified'],
    ])
    const hl = await h['files.list']({ namespace: 'default', tree, dir: '/usr/bin' })
    expect(hl.entries.find((e) => e.name === 'tool-hardlink')).toMatchObject({
      type: 'hardlink',
      link: '/usr/bin/tool',
    })
    await expect(h['files.list']({ namespace: 'default', tree, dir: '/', layer: 3 })).rejects.toMatchObject({
      kind: 'invalid-argument',
    })
    await expect(
      h['files.list']({ namespace: 'default', tree: 'sha256:' + '0'.repeat(64), dir: '/' }),
    ).rejects.toMatchObject({
      kind: 'not-found',
    })
  })

  it('searches by glob and by RE2 regular expression', async () => {
    const so = await h['files.search']({ namespace: 'default', tree, pattern: '*.bin', mode: 'glob' })
    expect(so.entries.map((e) => e.path)).toEqual(['/var/cache/big.bin'])
    const etc = await h['files.search']({ namespace: 'default', tree, pattern: '/etc/*', mode: 'glob' })
    expect(etc.entries.map((e) => e.path)).toEqual(['/etc/passwd', '/etc/passwd-link', '/etc/shadow'])
    const re = await h['files.search']({
      namespace: 'default',
      tree,
      pattern: '(?i)/USR/BIN/t[o]+l',
      mode: 'regex',
    })
    expect(re.entries.map((e) => e.path)).toEqual(['/usr/bin/tool', '/usr/bin/tool-hardlink'])
    const paged = await h['files.search']({
      namespace: 'default',
      tree,
      pattern: '**',
      mode: 'glob',
      offset: 5,
      limit: 2,
    })
    expect(paged.entries).toHaveLength(2)
    expect(paged.total).toBe((await h['files.layers']({ namespace: 'default', name: NAME })).totals?.entries)
    await expect(
      h['files.search']({ namespace: 'default', tree, pattern: 'a(b', mode: 'regex' }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/invalid regular expression/),
    })
  })

  it('reports wasted space, biggest first', async () => {
    const w = await h['files.wasted']({ namespace: 'default', tree, limit: 2 })
    expect(w.top.map((t) => [t.path, t.bytes, t.layers])).toEqual([
      ['/var/cache/big.bin', BIG.length, [0]],
      ['/opt/app/lib/x.so', 1200, [0]],
    ])
    expect(w.paths).toBe(9)
    expect(w.efficiency).toBeCloseTo(1 - w.wastedBytes / w.allBytes, 12)
  })

  it('previews text, binary, directories and links', async () => {
    const text = await h['files.read']({ namespace: 'default', tree, path: '/etc/passwd' })
    expect(text).toMatchObject({ kind: 'text', truncated: false })
    expect(text.text).toContain('app:x:1000')
    const removed = await h['files.read']({
      namespace: 'default',
      tree,
      path: '/var/cache/big.bin',
      layer: 0,
    })
    expect(removed).toMatchObject({
      kind: 'binary',
      description: 'binary data',
      size: BIG.length,
      text: null,
    })
    expect(removed.hex?.split('\n')[0]).toMatch(/^00000000 {2}[0-9a-f]{2} /)
    expect(await h['files.read']({ namespace: 'default', tree, path: '/usr/bin/sh' })).toMatchObject({
      kind: 'link',
      link: 'tool',
    })
    expect(await h['files.read']({ namespace: 'default', tree, path: '/etc' })).toMatchObject({
      kind: 'directory',
    })
    const viaLink = await h['files.read']({ namespace: 'default', tree, path: '/etc/passwd-link' })
    expect(viaLink.text).toBe(text.text)
    await expect(h['files.read']({ namespace: 'default', tree, path: '/opt/app' })).rejects.toMatchObject({
      kind: 'not-found',
    })
  })

  it('saves a file, and a directory as a tar that unpacks to the merged tree', async () => {
    const out = join(dir, 'out')
    mkdirSync(out)
    const save = async (entry: string, path: string) => {
      const job = await h['files.save']({ namespace: 'default', tree, entry, path })
      expect(job.kind).toBe('save')
      const done = await waitJob(job.id)
      expect(done.ok, JSON.stringify(done.error)).toBe(true)
      expect(done.path).toBe(path)
    }
    await save('/etc/passwd', join(out, 'passwd'))
    expect(readFileSync(join(out, 'passwd'), 'utf8')).toContain('app:x:1000')
    await save('/usr', join(out, 'usr.tar'))
    const x = join(dir, 'x')
    mkdirSync(x)
    const r = spawnSync('tar', ['-xf', join(out, 'usr.tar'), '-C', x], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const t = findTree(berth.db, tree)!
    const merged = seenOf(subtree(berth.db, t, 'usr', {})).map((e) => ({ ...e, path: e.path }))
    expect(walkDir(join(x, 'usr')).map((e) => ({ ...e, path: `usr/${e.path}` }))).toEqual(merged)
    // Nothing half-written stays beside the destinations.
    expect(readdirSync(out).sort()).toEqual(['passwd', 'usr.tar'])
  })

  it('refuses a save that cannot be done before starting a job', async () => {
    await expect(
      h['files.save']({ namespace: 'default', tree, entry: '/etc/passwd', path: 'relative/out' }),
    ).rejects.toMatchObject({ kind: 'invalid-argument' })
    await expect(
      h['files.save']({ namespace: 'default', tree, entry: '/no/such', path: join(dir, 'nope') }),
    ).rejects.toMatchObject({ kind: 'not-found' })
    expect(existsSync(join(dir, 'nope'))).toBe(false)
  })
})

describe('files.compare', () => {
  it('compares two platforms of one image: added, removed, changed, and shared layers', async () => {
    const a = (await h['files.layers']({ namespace: 'default', name: NAME })).tree as string
    const b = (await h['files.layers']({ namespace: 'default', name: NAME, platform: 'linux/arm64' }))
      .tree as string
    const c = await h['files.compare']({ namespace: 'default', a, b, limit: 1000 })
    expect(c).toMatchObject({ commonBase: 1, aLayers: 3, bLayers: 2, sharedLayers: [amd64.diffIds[0]] })
    const by = (path: string) => c.entries.find((e) => e.path === path)
    expect(by('/usr/bin/arm-only')).toMatchObject({ change: 'added', b: { mode: 0o700, uid: 7 } })
    expect(by('/home/app/.profile')).toMatchObject({ change: 'removed' })
    expect(by('/usr/bin/tool')).toMatchObject({ change: 'changed', fields: ['size'] })
    expect(by('/etc/shadow')).toMatchObject({ change: 'changed', fields: ['mode'] })
    expect(by('/opt/app2')).toMatchObject({ change: 'removed' })
    expect(c.total).toBe(c.added + c.removed + c.changed)
    const only = await h['files.compare']({ namespace: 'default', a, b, change: 'added' })
    expect(only.entries.every((e) => e.change === 'added')).toBe(true)
    expect(only.total).toBe(c.added)
    const self = await h['files.compare']({ namespace: 'default', a, b: a })
    expect(self).toMatchObject({ added: 0, removed: 0, changed: 0, total: 0, commonBase: 3 })
  })
})

describe('the host validates files.* arguments', () => {
  it('refuses malformed calls with invalid-argument', async () => {
    const dispatch = createDispatch(h)
    const bad = [
      ['files.list', [{ namespace: 'default', tree: 'x', dir: '/', layer: -1 }]],
      ['files.search', [{ namespace: 'default', tree: 'x', pattern: 'a', mode: 'pcre' }]],
      ['files.save', [{ namespace: 'default', tree: 'x', entry: '/a', path: '/b', extra: 1 }]],
      ['files.layers', [{ namespace: 'default' }]],
    ] as const
    for (const [channel, args] of bad) {
      const r = await dispatch(channel, args)
      expect(r.ok, channel).toBe(false)
      expect(!r.ok && r.error.kind).toBe('invalid-argument')
    }
  })
})
