// Configuration 3: docker-registry with token auth. The realm is a small issuer in this test that
// signs ES256 JWTs with a key the test generates; the registry trusts its certificate through
// `rootcertbundle`. Covers Bearer challenges, tokens cached per scope, mounts that need a second
// repository's pull scope, and tokens that do not grant what was asked.
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { isRegistryError } from '../../src-main/core/transfer/registry/errors'
import { pull } from '../../src-main/core/transfer/registry/pull'
import { push } from '../../src-main/core/transfer/registry/push'
import type { Credentials } from '../../src-main/core/transfer/registry/credentials'
import { multiPlatformImage, platformOf, type ImageFixture } from '../fixtures/images'
import { makeSigningCert } from './support/certs'
import { startProxy } from './support/proxy'
import { grantAll, refreshTokenOf, startIssuer, type Issuer } from './support/issuer'
import { Authorizer } from '../../src-main/core/transfer/registry/auth'
import { RegistryClient } from '../../src-main/core/transfer/registry/client'
import { Transport } from '../../src-main/core/transfer/registry/http'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from './support/registry'
import { blobBytes, loadFixture, openStores, type Stores } from './support/stores'

const present = hasRegistry()
const USERS = { alice: 'alice-pw-1', reader: 'reader-pw-2' }

describe.skipIf(!present)('registry with token auth (JWT issuer)', () => {
  let reg: RunningRegistry
  let issuer: Issuer
  let fx: ImageFixture
  let tmp: { dir: string; remove: () => void }
  const opened: Stores[] = []
  const stores = (): Stores => {
    const s = openStores()
    opened.push(s)
    return s
  }
  const as = (user: keyof typeof USERS | undefined, password?: string) => ({
    credentials: async (): Promise<Credentials | undefined> =>
      user ? { username: user, secret: password ?? USERS[user] } : undefined,
  })
  // alice may do anything; reader may only pull.
  const policy = grantAll
  const readerPolicy: typeof grantAll = (user, requested) =>
    user === 'reader'
      ? requested.map((a) => ({ ...a, actions: a.actions.filter((x) => x === 'pull') }))
      : policy(user, requested)

  beforeAll(async () => {
    tmp = tempDir('berth-token-')
    const signing = makeSigningCert(tmp.dir)
    issuer = await startIssuer({ signing, users: USERS })
    const bundle = join(tmp.dir, 'bundle.pem')
    writeFileSync(bundle, signing.certPem)
    reg = await startRegistry({
      token: { realm: issuer.realm, service: issuer.service, issuer: issuer.issuer, rootcertbundle: bundle },
    })
    fx = multiPlatformImage({ seed: 'token', platforms: ['linux/amd64', 'linux/arm64'] })
    const src = stores()
    await loadFixture(src, fx, 'local/token:1')
    await push({ ...src, name: 'local/token:1', ref: `${reg.host}/team/a:1`, registry: as('alice') })
  })
  beforeEach(() => {
    issuer.policy = readerPolicy
    issuer.requests.length = 0
  })
  afterAll(async () => {
    for (const s of opened) s.close()
    await reg?.stop()
    await issuer?.stop()
    tmp?.remove()
  })

  it('pulls with a bearer token fetched once per scope and cached', async () => {
    const s = stores()
    const { image } = await pull({
      ...s,
      ref: `${reg.host}/team/a:1`,
      platforms: 'all',
      registry: as('alice'),
    })
    expect(image.target.digest).toBe(fx.target.digest)
    for (const [d, data] of fx.blobs) expect(blobBytes(s, d).equals(Buffer.from(data))).toBe(true)
    const forPull = issuer.requests.filter((r) => r.scopes.join(' ') === 'repository:team/a:pull')
    expect(forPull).toHaveLength(1)
    expect(forPull[0].user).toBe('alice')
    expect(forPull[0].service).toBe(issuer.service)
  })

  it('mounts across repositories with a token covering both', async () => {
    const s = stores()
    await pull({ ...s, ref: `${reg.host}/team/a:1`, platforms: 'all', registry: as('alice') })
    const r = await push({
      ...s,
      name: `${reg.host}/team/a:1`,
      ref: `${reg.host}/team/b:1`,
      registry: as('alice'),
    })
    const leaves = fx.images.flatMap((i) => [i.config.desc.digest, ...i.layers.map((l) => l.desc.digest)])
    expect(r.mounted.sort()).toEqual([...new Set(leaves)].sort())
    expect(
      issuer.requests.some(
        (q) =>
          q.scopes.includes('repository:team/a:pull') && q.scopes.includes('repository:team/b:pull,push'),
      ),
    ).toBe(true)
    const back = stores()
    await pull({
      ...back,
      ref: `${reg.host}/team/b:1`,
      host: platformOf('linux/arm64'),
      registry: as('reader'),
    })
  })

  it('follows a blob redirect to another host without sending it the token', async () => {
    // Storage behind a redirect (as S3 or a CDN would be): serves the bytes, records what it was sent.
    const seen: (string | undefined)[] = []
    const storage = http.createServer((req, res) => {
      seen.push(req.headers.authorization)
      const data = fx.blobs.get(decodeURIComponent(req.url ?? '').slice(1))
      if (!data) return void res.writeHead(404).end()
      res.writeHead(200, { 'Content-Length': String(data.length) }).end(Buffer.from(data))
    })
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', () => r()))
    const storageHost = `localhost:${(storage.address() as AddressInfo).port}`
    const proxy = await startProxy(reg)
    try {
      const layer = fx.images[0].layers[0].desc
      proxy.faults.push({
        match: (m, p) => m === 'GET' && p.endsWith(`/blobs/${layer.digest}`),
        respond: { status: 307, headers: { Location: `http://${storageHost}/${layer.digest}` } },
      })
      const s = stores()
      await pull({
        ...s,
        ref: `${proxy.host}/team/a:1`,
        host: platformOf('linux/amd64'),
        registry: as('alice'),
      })
      expect(seen).toEqual([undefined])
      const toRegistry = proxy.log.filter((r) => r.path.includes('/blobs/'))
      expect(toRegistry.length).toBeGreaterThan(0)
      expect(toRegistry.every((r) => r.authorization)).toBe(true)
      expect(blobBytes(s, layer.digest).equals(Buffer.from(fx.blobs.get(layer.digest)!))).toBe(true)
    } finally {
      await proxy.stop()
      storage.closeAllConnections()
      await new Promise((r) => storage.close(r))
    }
  })

  it('reuses a cached token until it expires, then fetches a new one', async () => {
    let clock = Date.now()
    const transport = new Transport()
    const authorizer = new Authorizer(transport, { credentials: as('alice').credentials, now: () => clock })
    const client = new RegistryClient({ transport, authorizer })
    try {
      const forPull = (): number =>
        issuer.requests.filter((r) => r.scopes.join(' ') === 'repository:team/a:pull').length
      await pull({ ...stores(), ref: `${reg.host}/team/a:1`, host: platformOf('linux/amd64'), client })
      expect(forPull()).toBe(1)
      await pull({ ...stores(), ref: `${reg.host}/team/a:1`, host: platformOf('linux/arm64'), client })
      expect(forPull()).toBe(1)
      clock += 301_000 // past the issuer's 300 s lifetime
      await pull({ ...stores(), ref: `${reg.host}/team/a:1`, host: platformOf('linux/amd64'), client })
      expect(forPull()).toBe(2)
    } finally {
      client.close()
    }
  })

  it('exchanges an identity token with an OAuth2 POST', async () => {
    const s = stores()
    const { image } = await pull({
      ...s,
      ref: `${reg.host}/team/a:1`,
      host: platformOf('linux/amd64'),
      registry: { credentials: async () => ({ username: '', secret: refreshTokenOf('alice') }) },
    })
    expect(image.target.digest).toBe(fx.target.digest)
    expect(issuer.requests.map((r) => [r.method, r.user])).toContainEqual(['POST', 'alice'])
    expect(issuer.requests.every((r) => r.method === 'POST')).toBe(true)
  })

  it('fails cleanly when the issuer grants a token for the wrong scope', async () => {
    issuer.policy = (user, requested) =>
      user ? requested.map((a) => ({ ...a, name: 'somewhere/else' })) : []
    const s = stores()
    const e = await pull({ ...s, ref: `${reg.host}/team/a:1`, registry: as('alice') }).catch(
      (x: unknown) => x,
    )
    expect(isRegistryError(e, 'unauthorized')).toBe(true)
    // One token, one retry with a fresh token: no loop.
    expect(issuer.requests.length).toBeGreaterThanOrEqual(1)
    expect(issuer.requests.length).toBeLessThanOrEqual(2)
    expect(s.images.list(s.ns)).toEqual([])
  })

  it('refuses a push with a pull-only token', async () => {
    const src = stores()
    const other = multiPlatformImage({ seed: 'token-reader', platforms: ['linux/amd64'] })
    await loadFixture(src, other, 'local/reader:1')
    const e = await push({
      ...src,
      name: 'local/reader:1',
      ref: `${reg.host}/team/c:1`,
      registry: as('reader'),
    }).catch((x: unknown) => x)
    expect(isRegistryError(e)).toBe(true)
    expect(['unauthorized', 'denied']).toContain((e as { reason: string }).reason)
  })

  it('reports a wrong password from the token service as unauthorized, without the password', async () => {
    const s = stores()
    const e = await pull({ ...s, ref: `${reg.host}/team/a:1`, registry: as('alice', 'hunter2-wrong') }).catch(
      (x: unknown) => x,
    )
    expect(isRegistryError(e, 'unauthorized')).toBe(true)
    expect((e as Error).message).toMatch(/credentials were refused/)
    expect((e as Error).message).not.toContain('hunter2-wrong')
  })

  it('refuses anonymous pulls where the issuer grants nothing', async () => {
    const s = stores()
    const e = await pull({ ...s, ref: `${reg.host}/team/a:1`, registry: as(undefined) }).catch(
      (x: unknown) => x,
    )
    expect(isRegistryError(e, 'unauthorized')).toBe(true)
  })
})
