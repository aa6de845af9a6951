// The real store host in a child process, driven through the client exactly as Electron main and the
// e2e bridge drive it: calls and events, secrets encrypted by the parent through reverse requests, and
// a host killed in the middle of things — the call in flight answers 'unavailable', the running job
// gets a failed job.done, the host comes back and answers again; a host that cannot open its store
// ends 'failed' instead of restarting forever.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope, HostState, JobDone } from '../../src-preload/api'
import { startHost, type HostClient } from '../../src-main/host/client'
import type { HostConfig, ReverseHandlers } from '../../src-main/host/protocol'
import { testCipher, testCipherHandlers } from '../support/cipher'
import { singlePlatformImage, writeOCIArchive } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from '../registry/support/certs'
import { hasRegistry, startRegistry, type RunningRegistry } from '../registry/support/registry'
import { nodeHostLauncher } from '../support/host'

const APP = {
  name: 'Berth',
  version: '0.0.0-test',
  electron: null,
  node: process.versions.node,
  chromium: null,
  platform: 'test',
}

function config(root: string, extra: Partial<HostConfig> = {}): HostConfig {
  return { root, app: APP, platform: { os: 'linux', architecture: 'amd64' }, ...extra }
}

const cipher: ReverseHandlers = testCipherHandlers

function value<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.kind}: ${e.error.message}`)
  return e.value as T
}

function until<T>(
  client: HostClient,
  pick: (e: { event: string; payload: unknown }) => T | undefined,
): Promise<T> {
  return new Promise((resolve) => {
    const off = client.onEvent((e) => {
      const v = pick(e)
      if (v !== undefined) {
        off()
        resolve(v)
      }
    })
  })
}

describe('the store host through its client', () => {
  let dir: string
  let client: HostClient
  const states: HostState[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-host-'))
    writeOCIArchive(join(dir, 'one.tar'), [
      { fixture: singlePlatformImage({ seed: 'host', layerSize: 4000 }), name: 'docker.io/library/one:1' },
    ])
    client = startHost({
      launch: nodeHostLauncher(),
      config: config(join(dir, 'root')),
      reverse: cipher,
      restartDelaysMs: [50],
      log: () => {},
    })
    client.on('host.state', (s) => states.push(s))
    await client.ready()
  }, 60_000)

  afterAll(async () => {
    await client?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('answers calls from its own process, with the store in the configured root', async () => {
    expect(client.pid()).toBeGreaterThan(0)
    expect(client.pid()).not.toBe(process.pid)
    const info = value<{ storePath: string; hostPlatform: string; version: string }>(
      await client.call('app.info', []),
    )
    expect(info).toMatchObject({
      storePath: join(dir, 'root'),
      hostPlatform: 'linux/amd64',
      version: '0.0.0-test',
    })
    const page = value<{ total: number }>(await client.call('images.list', [{ namespace: 'default' }]))
    expect(page.total).toBe(0)
  })

  it('checks arguments itself too: a malformed call is invalid-argument, an unknown channel refused', async () => {
    const bad = await client.call('images.list', [{ namespace: 'default', limit: -1 }])
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } })
    const unknown = await client.call('fs.readFile', ['/etc/passwd'])
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } })
  })

  it('runs a job and pushes its progress and outcome as events', async () => {
    const done = until(client, (e) => (e.event === 'job.done' ? (e.payload as JobDone) : undefined))
    const job = value<{ id: string }>(
      await client.call('images.import', [{ namespace: 'default', path: join(dir, 'one.tar') }]),
    )
    const d = await done
    expect(d).toMatchObject({ id: job.id, ok: true, images: ['docker.io/library/one:1'] })
    const page = value<{ items: { name: string }[] }>(
      await client.call('images.list', [{ namespace: 'default' }]),
    )
    expect(page.items.map((i) => i.name)).toEqual(['docker.io/library/one:1'])
  })

  it('killed mid-job: the job fails as unavailable, the host restarts and answers again', async () => {
    // A large archive keeps the import running long enough to kill the host under it.
    writeOCIArchive(join(dir, 'big.tar'), [
      {
        fixture: singlePlatformImage({ seed: 'big', layers: 4, layerSize: 24 << 20, compression: 'none' }),
        name: 'docker.io/library/big:1',
      },
    ])
    const progressed = until(client, (e) => (e.event === 'job.progress' ? true : undefined))
    const done = until(client, (e) => (e.event === 'job.done' ? (e.payload as JobDone) : undefined))
    const job = value<{ id: string }>(
      await client.call('images.import', [{ namespace: 'default', path: join(dir, 'big.tar') }]),
    )
    await progressed
    const before = client.pid()!
    const restarted = until(client, (e) =>
      e.event === 'host.state' && (e.payload as HostState).state === 'ready' ? true : undefined,
    )
    process.kill(before, 'SIGKILL')
    const d = await done
    expect(d).toMatchObject({ id: job.id, kind: 'import', ok: false, error: { kind: 'unavailable' } })
    expect(d.error?.message).toMatch(/store host stopped \(signal SIGKILL\)/)
    await restarted
    expect(client.pid()).not.toBe(before)
    expect(states.map((s) => s.state)).toEqual(expect.arrayContaining(['restarting', 'ready']))
    const page = value<{ items: { name: string }[] }>(
      await client.call('images.list', [{ namespace: 'default' }]),
    )
    // The killed import never wrote its image record: nothing half-imported is listed.
    expect(page.items.map((i) => i.name)).toEqual(['docker.io/library/one:1'])
  }, 60_000)

  it('calls made while it restarts wait for it instead of failing', async () => {
    const restarted = until(client, (e) =>
      e.event === 'host.state' && (e.payload as HostState).state === 'ready' ? true : undefined,
    )
    process.kill(client.pid()!, 'SIGKILL')
    await until(client, (e) =>
      e.event === 'host.state' && (e.payload as HostState).state === 'restarting' ? true : undefined,
    )
    const r = await client.call('namespaces.list', [])
    expect(r.ok).toBe(true)
    await restarted
  }, 30_000)
})

describe.skipIf(!hasRegistry())('registry secrets through reverse requests', () => {
  let dir: string
  let reg: RunningRegistry
  let client: HostClient
  const PASSWORD = 'pa55-through-the-parent'
  let encrypts = 0
  let decrypts = 0
  let hold: Promise<void> | null = null
  let caPem: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-host-reg-'))
    const tls = makeServerCerts(dir)
    caPem = tls.caPem
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine('ann', PASSWORD)}\n`)
    reg = await startRegistry({
      tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem },
      htpasswd: join(dir, 'htpasswd'),
    })
    client = startHost({
      launch: nodeHostLauncher(),
      config: config(join(dir, 'root'), { transport: { ca: tls.caPem, retries: 0 } }),
      reverse: {
        'cipher.encrypt': async (plain) => {
          encrypts++
          if (hold) await hold
          return testCipher.encrypt(plain) as Uint8Array
        },
        'cipher.decrypt': async (data) => {
          decrypts++
          return testCipher.decrypt(data) as string
        },
      },
      restartDelaysMs: [50],
      log: () => {},
    })
    await client.ready()
  }, 60_000)

  afterAll(async () => {
    await client?.stop()
    await reg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('a login is encrypted by the parent: the host never holds a key, the file holds no secret', async () => {
    const r = await client.call('registry.login', [{ host: reg.host, username: 'ann', secret: PASSWORD }])
    expect(r).toEqual({ ok: true, value: { host: reg.host, username: 'ann' } })
    expect(encrypts).toBe(1)
    const file = readFileSync(join(dir, 'root', 'logins.json'), 'utf8')
    expect(file).toContain('ann')
    expect(file).not.toContain(PASSWORD)
    // Using the login decrypts it through the parent again: the registry accepts it (the repository is
    // simply absent, which is only answerable once authenticated).
    const inspect = await client.call('registry.inspect', [{ ref: `${reg.host}/nothing/here:1` }])
    expect(decrypts).toBeGreaterThan(0)
    expect(inspect).toMatchObject({ ok: false, error: { kind: 'not-found' } })
  })

  it('a refusal from the parent keeps its kind', async () => {
    const refusing = startHost({
      launch: nodeHostLauncher(),
      config: config(join(dir, 'root2'), { transport: { ca: caPem, retries: 0 } }),
      reverse: {
        'cipher.encrypt': () => {
          throw Object.assign(new Error('no keychain here'), { kind: 'failed-precondition' })
        },
        'cipher.decrypt': () => '',
      },
      log: () => {},
    })
    try {
      const r = await refusing.call('registry.login', [{ host: reg.host, username: 'ann', secret: PASSWORD }])
      expect(r).toEqual({ ok: false, error: { kind: 'failed-precondition', message: 'no keychain here' } })
    } finally {
      await refusing.stop()
    }
  })

  it('killed while a call waits on the parent: the call answers unavailable, never hangs', async () => {
    let release!: () => void
    hold = new Promise((r) => (release = r))
    const before = encrypts
    const call = client.call('registry.login', [{ host: reg.host, username: 'ann', secret: PASSWORD }])
    await expect.poll(() => encrypts).toBe(before + 1)
    process.kill(client.pid()!, 'SIGKILL')
    const r = await call
    expect(r).toMatchObject({ ok: false, error: { kind: 'unavailable' } })
    if (!r.ok) expect(r.error.message).toMatch(/before answering registry\.login/)
    hold = null
    release()
    await client.ready()
    expect((await client.call('registry.logins.list', [])).ok).toBe(true)
  }, 30_000)
})

describe('a host that cannot open its store', () => {
  it('is started a few times, then reported failed with the reason; calls answer unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-host-bad-'))
    // The root is a file: the store cannot be created there.
    writeFileSync(join(dir, 'not-a-dir'), 'x')
    const states: HostState[] = []
    const client = startHost({
      launch: nodeHostLauncher({ stdio: 'ignore' }),
      config: config(join(dir, 'not-a-dir')),
      reverse: cipher,
      restartDelaysMs: [10],
      maxCrashes: 3,
      log: () => {},
    })
    client.on('host.state', (s) => states.push(s))
    try {
      const first = client.call('app.info', [])
      await expect(client.ready()).rejects.toThrow(/failed/)
      expect(await first).toMatchObject({ ok: false, error: { kind: 'unavailable' } })
      expect(states.filter((s) => s.state === 'restarting')).toHaveLength(2)
      expect(states.at(-1)).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/3 times in a row \(last: .*not-a-dir/),
      })
      expect(await client.call('app.info', [])).toMatchObject({ ok: false, error: { kind: 'unavailable' } })
    } finally {
      await client.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
