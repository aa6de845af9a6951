// Logins and plain HTTP (issue 10 item 9): a login host is a reference domain (`docker.io@evil.com`
// is refused before anything is sent), the HTTPS→HTTP fallback never resends credentials, and a
// registry marked insecure that turns out to speak plain HTTP on a host that is not loopback never
// gets stored credentials: Berth refuses and says why (documented in the README's security lines).
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import type { Resolver } from '../../src-main/core/transfer/registry/addresses'
import { MemoryCredentialStore } from '../../src-main/core/transfer/registry/credentials'
import { Transport } from '../../src-main/core/transfer/registry/http'
import { validateRegistryHost } from '../../src-main/core/transfer/registry/reference'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { inspect, loginTo } from '../../src-main/service/registry'
import { singlePlatformImage } from '../fixtures/images'
import { berthProcess } from './support/cli'
import { listen, seedFake, startFakeRegistry, type Server } from './support/fake-registry'
import { tempDir } from './support/registry'

const PASSWORD = 'bob-Secret-42'

describe('login hosts and plain HTTP', () => {
  let tmp: { dir: string; remove: () => void }
  let ctx: Berth
  const servers: Server[] = []
  const started = <T extends Server>(s: T): T => {
    servers.push(s)
    return s
  }
  beforeAll(() => {
    tmp = tempDir('berth-login-hosts-')
    ctx = openBerth({ root: join(tmp.dir, 'root') })
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop()
  })
  afterAll(() => {
    ctx?.close()
    tmp?.remove()
  })

  it.each([
    ['docker.io', true],
    ['registry.example.com:5000', true],
    ['[::1]:5000', true],
    ['127.0.0.1:5000', true],
    ['docker.io@evil.com', false],
    ['registry.example.com/path', false],
    ['registry.example.com:port', false],
    ['two words', false],
    ['', false],
  ])('validateRegistryHost(%j) accepts: %s', (host, ok) => {
    if (ok) expect(validateRegistryHost(host)).toBe(host)
    else expect(() => validateRegistryHost(host)).toThrow(/is not a registry host/)
  })

  it('refuses `docker.io@HOST` in the app, before sending anything', async () => {
    const reg = started(await startFakeRegistry({ kind: 'basic', users: { bob: PASSWORD } }))
    const logins = new MemoryCredentialStore()
    const e = await loginTo(
      { logins },
      { host: `docker.io@${reg.host}`, username: 'bob', secret: PASSWORD },
    ).catch((x: unknown) => x)
    expect(isKind(e, 'invalid-argument')).toBe(true)
    expect((e as Error).message).toMatch(/is not a registry host/)
    expect(reg.log).toEqual([])
    expect(await logins.list()).toEqual([])
    // The URL spellings docker accepts still name the host.
    await loginTo({ logins }, { host: `http://${reg.host}/v1/`, username: 'bob', secret: PASSWORD })
    expect(await logins.list()).toEqual([{ host: reg.host, username: 'bob' }])
  })

  it('refuses `berth login docker.io@HOST` before reading a password or sending anything', async () => {
    const reg = started(await startFakeRegistry({ kind: 'basic', users: { bob: PASSWORD } }))
    const root = join(tmp.dir, 'cli')
    const r = await berthProcess(
      ['--root', root, 'login', '-u', 'bob', '--password-stdin', `docker.io@${reg.host}`],
      `${PASSWORD}\n`,
    )
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/is not a registry host/)
    expect(r.err).not.toContain(PASSWORD)
    expect(reg.log).toEqual([])
  })

  it('does not resend credentials when HTTPS falls back to plain HTTP', async () => {
    const plain = started(await listen((_req, res) => void res.end('ok')))
    const t = new Transport()
    try {
      const res = await t.send({
        method: 'GET',
        url: new URL(`https://${plain.host}/v2/`),
        headers: { Authorization: 'Basic c2VjcmV0OnNlY3JldA==' },
      })
      expect(await res.text()).toBe('ok')
      expect(res.url.protocol).toBe('http:')
      expect(plain.log.map((r) => r.authorization)).toEqual([undefined])
    } finally {
      t.close()
    }
  })

  describe('an insecure registry on a host that is not loopback', () => {
    // `registry.test` resolves (by the injected resolver) to this machine, but by its name it is a
    // host on some network: what a user marks insecure is typically an intranet registry.
    const resolver: Resolver = async (h) => {
      if (h !== 'registry.test') throw Object.assign(new Error(`ENOTFOUND ${h}`), { code: 'ENOTFOUND' })
      return [{ address: '127.0.0.1', family: 4 }]
    }
    const fx = singlePlatformImage({ seed: 'insecure' })

    it('refuses to send stored credentials over plain HTTP, and says so', async () => {
      const reg = started(await startFakeRegistry({ kind: 'basic', users: { bob: PASSWORD } }))
      seedFake(reg, 'team/app', '1', fx)
      const host = `registry.test:${reg.port}`
      const logins = new MemoryCredentialStore()
      await logins.set(host, { username: 'bob', secret: PASSWORD })
      const e = await inspect(
        ctx,
        { logins, transport: { resolver, retries: 0 } },
        { ref: `${host}/team/app:1`, insecure: true },
      ).catch((x: unknown) => x)
      expect(isKind(e, 'failed-precondition')).toBe(true)
      expect((e as Error).message).toMatch(
        new RegExp(`refusing to send the credentials for ${host} over plain HTTP`),
      )
      expect(reg.log.length).toBeGreaterThan(0)
      expect(reg.log.map((r) => r.authorization)).toEqual(reg.log.map(() => undefined))
    })

    it('still reads it anonymously, and refuses a login to it', async () => {
      const open = started(await startFakeRegistry())
      seedFake(open, 'team/app', '1', fx)
      const info = await inspect(
        ctx,
        { logins: new MemoryCredentialStore(), transport: { resolver, retries: 0 } },
        { ref: `registry.test:${open.port}/team/app:1`, insecure: true },
      )
      expect(info.digest).toBe(fx.target.digest)

      const reg = started(await startFakeRegistry({ kind: 'basic', users: { bob: PASSWORD } }))
      const logins = new MemoryCredentialStore()
      const e = await loginTo(
        { logins, transport: { resolver, retries: 0 } },
        { host: `registry.test:${reg.port}`, username: 'bob', secret: PASSWORD, insecure: true },
      ).catch((x: unknown) => x)
      expect((e as Error).message).toMatch(/over plain HTTP/)
      expect(reg.log.every((r) => r.authorization === undefined)).toBe(true)
      expect(await logins.list()).toEqual([])
    })
  })
})
