// The app's registry use cases against a real docker-registry (Basic auth over HTTPS, the test CA given
// to the service as the bridge and main would): inspect before downloading, pull and push as jobs with
// per-blob progress, logins verified before they are kept — and the secret in no result, event, error
// or file in plain text.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName, Events, JobDone, JobProgress } from '../../src-preload/api'
import { FileCredentialStore } from '../../src-main/core/transfer/registry/credentials'
import { createDispatch } from '../../src-main/host/dispatch'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { createHandlers } from '../../src-main/service/index'
import { coreTransfer } from '../../src-main/service/transfer'
import { testCipher } from '../support/cipher'
import { multiPlatformImage, writeOCIArchive } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from '../registry/support/certs'
import { hasRegistry, startRegistry, type RunningRegistry } from '../registry/support/registry'

const present = hasRegistry()
const PASSWORD = 's3cret-Pa55word-xyz'
const WRONG = 'wrong-Pa55word-abc'

describe.skipIf(!present)('registry use cases against docker-registry with Basic auth', () => {
  let dir: string
  let reg: RunningRegistry
  let berth: Berth
  const events: { event: EventName; payload: unknown }[] = []
  let dispatch: ReturnType<typeof createDispatch>
  const call = async (channel: string, ...args: unknown[]) => dispatch(channel, args)

  const jobDone = (id: string) =>
    new Promise<JobDone>((resolve) => {
      const t = setInterval(() => {
        const d = events.find((e) => e.event === 'job.done' && (e.payload as JobDone).id === id)
        if (d) {
          clearInterval(t)
          resolve(d.payload as JobDone)
        }
      }, 20)
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-registry-service-'))
    const tls = makeServerCerts(dir)
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine('alice', PASSWORD)}\n`)
    reg = await startRegistry({
      tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem },
      htpasswd: join(dir, 'htpasswd'),
    })
    writeOCIArchive(join(dir, 'demo.tar'), [
      {
        fixture: multiPlatformImage({ name: 'svc', platforms: ['linux/amd64', 'linux/arm64'] }),
        name: 'docker.io/library/svc:1',
      },
    ])
    berth = openBerth({ root: join(dir, 'root'), host: { os: 'linux', architecture: 'arm64' } })
    const handlers = createHandlers(berth, {
      emit: <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload }),
      appInfo: () => {
        throw new Error('unused')
      },
      transfer: coreTransfer,
      registry: {
        logins: new FileCredentialStore(join(dir, 'root', 'logins.json'), testCipher),
        transport: { ca: tls.caPem, retries: 0 },
      },
    })
    dispatch = createDispatch(handlers)
    const imp = (await call('images.import', { namespace: 'default', path: join(dir, 'demo.tar') })) as {
      ok: true
      value: { id: string }
    }
    expect((await jobDone(imp.value.id)).ok).toBe(true)
  }, 60_000)

  afterAll(async () => {
    berth?.close()
    await reg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a wrong password as failed-precondition, and keeps nothing', async () => {
    const r = await call('registry.login', { host: reg.host, username: 'alice', secret: WRONG })
    expect(r).toMatchObject({ ok: false, error: { kind: 'failed-precondition' } })
    expect(JSON.stringify(r)).toMatch(/refused the credentials of alice/)
    expect(await call('registry.logins.list')).toEqual({ ok: true, value: [] })
  })

  it('keeps a verified login, listed by host and user only', async () => {
    const r = await call('registry.login', { host: reg.host, username: 'alice', secret: PASSWORD })
    expect(r).toEqual({ ok: true, value: { host: reg.host, username: 'alice' } })
    expect(await call('registry.logins.list')).toEqual({
      ok: true,
      value: [{ host: reg.host, username: 'alice' }],
    })
    const file = readFileSync(join(dir, 'root', 'logins.json'), 'utf8')
    expect(file).toContain('alice')
    expect(file).not.toContain(PASSWORD)
  })

  it('pushes as a job with per-blob progress, using the stored login', async () => {
    const r = (await call('images.push', {
      namespace: 'default',
      name: 'docker.io/library/svc:1',
      ref: `${reg.host}/team/svc:1`,
    })) as { ok: true; value: { id: string; kind: string } }
    expect(r.value.kind).toBe('push')
    const done = await jobDone(r.value.id)
    expect(done).toMatchObject({ ok: true, images: [`${reg.host}/team/svc:1`] })
    const progress = events.filter(
      (e) => e.event === 'job.progress' && (e.payload as JobProgress).id === r.value.id,
    )
    const blobs = progress.flatMap((e) => (e.payload as JobProgress).blobs ?? [])
    expect(blobs.some((b) => b.state === 'done' || b.state === 'exists')).toBe(true)
  })

  it('inspects before downloading: the platforms, the host best match marked', async () => {
    const r = await call('registry.inspect', { ref: `${reg.host}/team/svc:1` })
    expect(r.ok).toBe(true)
    const info = (
      r as { ok: true; value: { kind: string; platforms: { platform: string; best: boolean }[] } }
    ).value
    expect(info.kind).toBe('index')
    expect(info.platforms.map((p) => [p.platform, p.best])).toEqual([
      ['linux/amd64', false],
      ['linux/arm64', true],
    ])
  })

  it('gives a reference that does not parse as invalid-argument before any job starts', async () => {
    for (const ch of ['registry.inspect', 'images.pull'] as const) {
      const r = await call(ch, {
        ...(ch === 'images.pull' ? { namespace: 'default' } : {}),
        ref: 'UPPER/Case',
      })
      expect(r).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } })
    }
  })

  it('pulls the chosen platform as a job', async () => {
    const r = (await call('images.pull', {
      namespace: 'default',
      ref: `${reg.host}/team/svc:1`,
      platforms: ['linux/amd64'],
    })) as { ok: true; value: { id: string } }
    const done = await jobDone(r.value.id)
    expect(done).toMatchObject({ ok: true, images: [`${reg.host}/team/svc:1`] })
    const d = (await call('images.details', { namespace: 'default', name: `${reg.host}/team/svc:1` })) as {
      ok: true
      value: { summary: { platforms: { platform: string; status: string }[] } }
    }
    expect(d.value.summary.platforms.map((p) => [p.platform, p.status])).toEqual([
      ['linux/amd64', 'present'],
      ['linux/arm64', 'present'],
    ])
  })

  it('logs out', async () => {
    expect(await call('registry.logout', { host: reg.host })).toEqual({ ok: true, value: { removed: true } })
    expect(await call('registry.logout', { host: reg.host })).toEqual({ ok: true, value: { removed: false } })
  })

  it('never put a secret into an event', () => {
    const all = JSON.stringify(events)
    expect(all).toContain('job.progress')
    expect(all).not.toContain(PASSWORD)
    expect(all).not.toContain(WRONG)
  })
})
