// The gRPC client against Debian's containerd: each call side by side with ctr on the same daemon, and
// the failures a user meets (no daemon, a socket that is not containerd's, one they may not open, a
// daemon that stops) as `unavailable` errors that name the socket.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAddress } from '../../src-main/core/containerd/address'
import { ContainerdConnection } from '../../src-main/core/containerd/client'
import {
  MAX_DOCUMENT,
  contentInfo,
  daemonProvider,
  readContent,
  updateContent,
  walkContent,
} from '../../src-main/core/containerd/content'
import { daemonVersion, listNamespaces } from '../../src-main/core/containerd/daemon'
import {
  createImage,
  deleteImage,
  getImage,
  listImages,
  updateImage,
} from '../../src-main/core/containerd/images'
import { writeBlob } from '../../src-main/core/containerd/write'
import { BerthError } from '../../src-main/core/errors'
import { openDatabase } from '../../src-main/core/db'
import { syncNamespace } from '../../src-main/service/sources/mirror'
import { blobOf, multiPlatformImage, writeOCIArchive } from '../fixtures/images'
import { startDaemon, type Daemon } from './daemon'

describe('containerd addresses, as ctr takes them', () => {
  it('takes a path, a relative path and unix:// URLs', () => {
    expect(parseAddress('/run/containerd/containerd.sock').path).toBe('/run/containerd/containerd.sock')
    expect(parseAddress('unix:///run/c.sock')).toEqual({ path: '/run/c.sock', target: 'unix:/run/c.sock' })
    expect(parseAddress('c.sock', '/tmp').path).toBe(resolve('/tmp', 'c.sock'))
  })
  it('takes ~ for the home directory: a window has no shell to expand it (colima, Rancher Desktop)', () => {
    const colima = join(homedir(), '.colima', 'default', 'containerd.sock')
    expect(parseAddress('~/.colima/default/containerd.sock', '/tmp').path).toBe(colima)
    expect(parseAddress('unix://~/.colima/default/containerd.sock', '/tmp').path).toBe(colima)
    expect(parseAddress('~other/c.sock', '/tmp').path).toBe(resolve('/tmp', '~other/c.sock'))
  })
  it('refuses tcp, named pipes and empty addresses by name', () => {
    expect(() => parseAddress('tcp://127.0.0.1:1234')).toThrow(/only unix sockets/)
    expect(() => parseAddress('npipe:////./pipe/containerd-containerd')).toThrow(/named pipes/)
    expect(() => parseAddress('  ')).toThrow(/must not be empty/)
  })
})

describe('unavailable daemons', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bcu-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('no socket at the address: unavailable, naming it and saying to start containerd', async () => {
    const c = new ContainerdConnection(join(dir, 'none.sock'))
    try {
      const e = await daemonVersion(c).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(BerthError)
      expect((e as BerthError).kind).toBe('unavailable')
      expect((e as Error).message).toContain(join(dir, 'none.sock'))
      expect((e as Error).message).toMatch(/not running/)
    } finally {
      c.close()
    }
  })

  it('a file that is not a socket, and a socket nobody answers on', async () => {
    writeFileSync(join(dir, 'plain'), 'not a socket')
    const server = createServer((s) => s.destroy())
    await new Promise<void>((r) => server.listen(join(dir, 'mute.sock'), r))
    for (const p of [join(dir, 'plain'), join(dir, 'mute.sock')]) {
      const c = new ContainerdConnection(p)
      try {
        const e = (await daemonVersion(c).catch((x: unknown) => x)) as BerthError
        expect(e.kind).toBe('unavailable')
        expect(e.message).toContain(p)
      } finally {
        c.close()
      }
    }
    await new Promise((r) => server.close(r))
  })
})

describe('the client on a real containerd, beside ctr', () => {
  let d: Daemon | undefined
  let c: ContainerdConnection
  let work: string
  const NS = 'berth-test'
  const fx = multiPlatformImage({
    name: 'client',
    platforms: ['linux/amd64', 'linux/arm64'],
    layerSize: 4000,
  })
  const NAME = 'docker.io/library/client:1'

  beforeAll(async () => {
    d = await startDaemon()
    if (!d) return
    c = new ContainerdConnection(d.address)
    work = mkdtempSync(join(tmpdir(), 'bcc-'))
    writeOCIArchive(join(work, 'a.tar'), [{ fixture: fx, name: NAME }])
    d.ctr('-n', NS, 'images', 'import', '--all-platforms', '--no-unpack', join(work, 'a.tar'))
  }, 60_000)
  afterAll(async () => {
    c?.close()
    await d?.dispose()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('asks the version and lists namespaces as ctr does', async ({ skip }) => {
    if (!d) return skip()
    const v = await daemonVersion(c)
    expect(d.ctr('version')).toContain(v.version)
    const names = (await listNamespaces(c)).map((n) => n.name)
    expect(names).toEqual(d.ctr('namespaces', 'ls', '-q').trim().split('\n').sort())
    expect(names).toContain(NS)
  })

  it('lists and gets images as ctr sees them, with containerd filters', async ({ skip }) => {
    if (!d) return skip()
    const all = await listImages(c, NS)
    expect(all.map((i) => i.name)).toEqual(d.ctr('-n', NS, 'images', 'ls', '-q').trim().split('\n'))
    expect(all[0].target).toMatchObject({ digest: fx.target.digest, size: fx.target.size })
    expect(await listImages(c, NS, ['name~=nomatch'])).toEqual([])
    const one = await getImage(c, NS, NAME)
    expect(one.createdAt.getTime()).toBeGreaterThan(0)
    const e = (await getImage(c, NS, 'nope').catch((x: unknown) => x)) as BerthError
    expect(e.kind).toBe('not-found')
    expect(e.message).toContain(d.address)
  })

  it('creates, updates labels with labels.KEY fieldpaths, and deletes; ctr agrees', async ({ skip }) => {
    if (!d) return skip()
    const img = await getImage(c, NS, NAME)
    await createImage(c, NS, { name: 'copy:1', labels: { a: '1' }, target: img.target })
    const dup = (await createImage(c, NS, { name: 'copy:1', labels: {}, target: img.target }).catch(
      (x: unknown) => x,
    )) as BerthError
    expect(dup.kind).toBe('already-exists')
    await updateImage(c, NS, { name: 'copy:1', labels: { b: '2' }, target: img.target }, ['labels.b'])
    const line = d.ctr('-n', NS, 'images', 'ls', 'name==copy:1')
    expect(line).toMatch(/a=1,b=2/)
    d.ctr('-n', NS, 'images', 'label', 'copy:1', 'c=3')
    expect((await getImage(c, NS, 'copy:1')).labels).toEqual({ a: '1', b: '2', c: '3' })
    await deleteImage(c, NS, 'copy:1', { sync: true })
    expect(d.ctr('-n', NS, 'images', 'ls', '-q')).not.toContain('copy:1')
  })

  it('reads content and its labels, and refuses a blob longer than its descriptor', async ({ skip }) => {
    if (!d) return skip()
    const seen: string[] = []
    for await (const batch of walkContent(c, NS)) seen.push(...batch.map((i) => i.digest))
    expect(seen.sort()).toEqual(d.ctr('-n', NS, 'content', 'ls', '-q').trim().split('\n').sort())
    const info = await contentInfo(c, NS, fx.target.digest)
    expect(info.size).toBe(fx.target.size)
    expect(Object.keys(info.labels).some((k) => k.startsWith('containerd.io/gc.ref.content.m.'))).toBe(true)
    const p = daemonProvider(c, NS)
    const bytes = await p.readBlob(fx.target)
    expect(Buffer.from(bytes).equals(fx.blobs.get(fx.target.digest)!)).toBe(true)
    const short = { ...fx.target, size: fx.target.size - 1 }
    await expect(async () => {
      for await (const _ of readContent(c, NS, short)) void _
    }).rejects.toThrow(/larger than/)
    await updateContent(c, NS, { digest: fx.target.digest, labels: { note: 'x' } }, ['labels.note'])
    expect(d.ctr('-n', NS, 'content', 'ls')).toMatch(/note=x/)
  })

  it('writes a blob through the Write stream once; the second time it is already there', async ({ skip }) => {
    if (!d) return skip()
    const b = blobOf('application/octet-stream', Buffer.alloc(3 << 20, 7))
    const w = {
      ref: `test-${b.desc.digest}`,
      desc: { digest: b.desc.digest, size: b.desc.size },
      source: (offset: number) => [b.data.subarray(offset)],
      labels: { 'containerd.io/gc.root': 'test' },
    }
    const offsets: number[] = []
    expect(await writeBlob(c, NS, { ...w, onProgress: (o) => offsets.push(o) })).toBe('written')
    expect(offsets.at(-1)).toBe(b.desc.size)
    expect(d.ctr('-n', NS, 'content', 'get', b.desc.digest).length).toBe(b.desc.size)
    expect(d.ctr('-n', NS, 'content', 'ls')).toContain('containerd.io/gc.root=test')
    expect(await writeBlob(c, NS, w)).toBe('exists')
    // A lie about the bytes is refused at commit, and nothing is left behind.
    const liar = { ...w, ref: 'liar', desc: { digest: blobOf('x', 'other').desc.digest, size: b.desc.size } }
    const e = (await writeBlob(c, NS, liar).catch((x: unknown) => x)) as BerthError
    expect(e.kind).toBe('failed-precondition')
  })

  it('bounds what it takes from the daemon: a whole-blob read, and the blob records a mirror holds', async ({
    skip,
  }) => {
    if (!d) return skip()
    const big = blobOf('application/octet-stream', Buffer.alloc(MAX_DOCUMENT + 1, 1))
    const w = { ref: 'big', desc: { digest: big.desc.digest, size: big.desc.size }, source: () => [big.data] }
    expect(await writeBlob(c, NS, w)).toBe('written')
    await expect(daemonProvider(c, NS).readBlob(big.desc)).rejects.toThrow(/reads blobs whole only up to/)
    const db = openDatabase(':memory:')
    await expect(syncNamespace(c, db, NS, { content: 'always', maxBlobs: 2 })).rejects.toThrow(
      /lists more than 2 blobs in namespace berth-test/,
    )
    // Nothing half-written: the mirror's namespace is as empty as before.
    expect(db.prepare('SELECT count(*) FROM images').pluck().get()).toBe(0)
    db.close()
  })

  it('resumes an interrupted write where the daemon’s ingest stopped', async ({ skip }) => {
    if (!d) return skip()
    const b = blobOf('application/octet-stream', Buffer.alloc(6 << 20, 3))
    const base = { ref: 'resume-test', desc: { digest: b.desc.digest, size: b.desc.size } }
    // The first attempt's source fails after 2 MiB, as a source process dying would.
    const e = await writeBlob(c, NS, {
      ...base,
      source: function* () {
        yield b.data.subarray(0, 2 << 20)
        throw new Error('source went away')
      },
    }).catch((x: unknown) => x)
    expect((e as Error).message).toMatch(/source went away/)
    const asked: number[] = []
    expect(
      await writeBlob(c, NS, {
        ...base,
        source: (offset) => {
          asked.push(offset)
          return [b.data.subarray(offset)]
        },
      }),
    ).toBe('written')
    expect(asked).toEqual([2 << 20])
    expect(d.ctr('-n', NS, 'content', 'get', b.desc.digest).length).toBe(b.desc.size)
  })

  it('a socket its user may not open: unavailable, naming it and the permission', async ({ skip }) => {
    if (!d || process.getuid?.() !== 0) return skip()
    // A child process as "nobody" dials the root-only socket.
    chmodSync(d.dir, 0o755)
    const script = `
      const { ContainerdConnection } = require(${JSON.stringify(resolve('src-main/core/containerd/client.ts'))});
      const { daemonVersion } = require(${JSON.stringify(resolve('src-main/core/containerd/daemon.ts'))});
      const c = new ContainerdConnection(${JSON.stringify(d.address)});
      daemonVersion(c).then(() => console.log('ok'), (e) => console.log(e.kind + ': ' + e.message)).finally(() => c.close());
    `
    // This Node may live where nobody cannot reach it (/root): Debian's own serves as well for a dial.
    const asNobody = (node: string) =>
      spawnSync(node, ['--import', 'tsx', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' })
    let r = asNobody(process.execPath)
    if (r.error) r = asNobody('/usr/bin/node')
    if (r.error || r.status !== 0) {
      console.warn(
        `skipping the socket-permission case: no Node runs as nobody here (${r.error ?? r.stderr})`,
      )
      return skip()
    }
    expect(r.stdout).toMatch(/^unavailable: permission denied on containerd's socket/)
    expect(r.stdout).toContain(d.address)
  })

  it('a daemon stopped under a client: unavailable; started again: the same client works', async ({
    skip,
  }) => {
    if (!d) return skip()
    await d.stop()
    const e = (await listImages(c, NS).catch((x: unknown) => x)) as BerthError
    expect(e.kind).toBe('unavailable')
    expect(e.message).toContain(d.address)
    await d.start()
    let ok = false
    for (let i = 0; i < 30 && !ok; i++) {
      ok = await listImages(c, NS).then(
        () => true,
        () => false,
      )
      if (!ok) await new Promise((r) => setTimeout(r, 200))
    }
    expect(ok).toBe(true)
  })
})
