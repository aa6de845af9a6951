// A containerd source through the real store host (a child process, as the app's utilityProcess and the
// e2e bridge run it), with ctr on the same daemon as the witness: the daemon dies under a copy job the
// host runs; the job ends `unavailable` naming the socket, the host keeps its process (no restart), the
// daemon's list says `unavailable` too, Berth's own store answers, switching back to the dead daemon is
// refused with Berth still active, and once the daemon runs again the same host lists what ctr lists.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope, HostState, JobDone, SourceInfo } from '../../src-preload/api'
import { startHost, type HostClient } from '../../src-main/host/client'
import { testCipherHandlers } from '../support/cipher'
import { nodeHostLauncher } from '../support/host'
import { singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { startDaemon, type Daemon } from './daemon'

const NS = 'default'
const BIG = 'docker.io/library/big:1'
const ON_DAEMON = 'docker.io/library/ondaemon:1'

let d: Daemon | undefined
let dir: string
let host: HostClient
const states: HostState['state'][] = []

async function call<T>(channel: string, ...args: unknown[]): Promise<T> {
  const e = (await host.call(channel, args)) as Envelope<T>
  if (!e.ok) throw Object.assign(new Error(e.error.message), { kind: e.error.kind })
  return e.value
}

async function refusal(channel: string, ...args: unknown[]): Promise<{ kind: string; message: string }> {
  const e = await host.call(channel, args)
  if (e.ok) throw new Error(`${channel} answered where it should have failed`)
  return e.error
}

function jobDone(id: () => string): Promise<JobDone> {
  return new Promise((resolve) => {
    const off = host.on('job.done', (j) => {
      if (j.id !== id()) return
      off()
      resolve(j)
    })
  })
}

beforeAll(async () => {
  d = await startDaemon()
  if (!d) return
  dir = mkdtempSync(join(tmpdir(), 'bch-'))
  writeOCIArchive(join(dir, 'daemon.tar'), [
    { fixture: singlePlatformImage({ seed: 'on-daemon' }), name: ON_DAEMON },
  ])
  d.ctr('-n', NS, 'images', 'import', '--no-unpack', join(dir, 'daemon.tar'))
  // Large enough that the copy is still sending when the daemon is killed on its first progress.
  writeOCIArchive(join(dir, 'big.tar'), [
    {
      fixture: singlePlatformImage({ seed: 'host-big', layers: 4, layerSize: 24 << 20, compression: 'none' }),
      name: BIG,
    },
  ])
  host = startHost({
    launch: nodeHostLauncher(),
    config: {
      root: join(dir, 'root'),
      app: {
        name: 'Berth',
        version: '0.0.0-test',
        electron: null,
        node: process.versions.node,
        chromium: null,
        platform: 'test',
      },
      platform: { os: 'linux', architecture: 'amd64' },
    },
    reverse: testCipherHandlers,
    restartDelaysMs: [50],
    log: () => {},
  })
  host.on('host.state', (s) => states.push(s.state))
  await host.ready()
  let id = ''
  const done = jobDone(() => id)
  id = (await call<{ id: string }>('images.import', { namespace: NS, path: join(dir, 'big.tar') })).id
  expect((await done).ok).toBe(true)
}, 120_000)

afterAll(async () => {
  await host?.stop()
  await d?.dispose()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('a containerd source through the store host', () => {
  it('a daemon killed under a copy job: unavailable naming the socket, and the host stays usable', async ({
    skip,
  }) => {
    if (!d) return skip()
    const daemon = d
    const pid = host.pid()
    const src = await call<SourceInfo>('sources.add', { address: daemon.address, namespace: NS })
    await call('sources.switch', { id: src.id })
    const listed = await call<{ items: { name: string }[] }>('images.list', { namespace: NS })
    expect(listed.items.map((i) => i.name)).toEqual([ON_DAEMON])

    let id = ''
    const done = jobDone(() => id)
    const off = host.on('job.progress', (p) => {
      if (p.id !== id || p.done === 0) return
      off()
      void daemon.kill()
    })
    id = (
      await call<{ id: string }>('images.copy', {
        from: { source: 'berth', namespace: NS },
        to: { source: src.id, namespace: NS },
        names: [BIG],
      })
    ).id
    const j = await done
    off()
    expect(j, JSON.stringify(j)).toMatchObject({ ok: false, error: { kind: 'unavailable' } })
    expect(j.error?.message).toContain(daemon.address)

    // The daemon is gone: its list says so, naming the socket; the host is the same process.
    const e = await refusal('images.list', { namespace: NS })
    expect(e.kind).toBe('unavailable')
    expect(e.message).toContain(daemon.address)
    expect(host.pid()).toBe(pid)
    expect(host.state()).toBe('ready')

    // Berth's own store answers, and switching back to the dead daemon is refused with Berth kept.
    await call('sources.switch', { id: 'berth' })
    const mine = await call<{ items: { name: string; status: string }[] }>('images.list', { namespace: NS })
    expect(mine.items.map((i) => [i.name, i.status])).toEqual([[BIG, 'present']])
    expect((await refusal('sources.switch', { id: src.id })).kind).toBe('unavailable')
    const sources = await call<SourceInfo[]>('sources.list')
    expect(sources.find((x) => x.active)?.id).toBe('berth')

    // Back up: the interrupted copy left no image there, and the same host lists what ctr lists.
    await daemon.start()
    const names = daemon.ctr('-n', NS, 'images', 'ls', '-q').trim().split('\n')
    expect(names).toEqual([ON_DAEMON])
    let back = false
    for (let i = 0; i < 30 && !back; i++) {
      back = (await host.call('sources.switch', [{ id: src.id }])).ok
      if (!back) await new Promise((r) => setTimeout(r, 200))
    }
    expect(back).toBe(true)
    const again = await call<{ items: { name: string }[] }>('images.list', { namespace: NS })
    expect(again.items.map((i) => i.name)).toEqual(names)
    expect(host.pid()).toBe(pid)
    expect(states).not.toContain('restarting')
  }, 60_000)
})
