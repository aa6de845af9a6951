// Where a registry may send Berth (issue 10 item 2): token realms are HTTPS (plain HTTP only on loopback
// for a loopback registry), realms and redirects never reach loopback, link-local or private addresses
// unless the registry is on such a network itself — judged after DNS, with an injected resolver so the
// rules are tested by classifying answers, never by connecting to them — and a 307/308 never replays a
// body to another host. Traffic goes only to 127.0.0.0/8.
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import {
  admitHost,
  classesOf,
  classifyAddress,
  type Resolver,
} from '../../src-main/core/transfer/registry/addresses'
import { MemoryCredentialStore } from '../../src-main/core/transfer/registry/credentials'
import { Transport } from '../../src-main/core/transfer/registry/http'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { inspect } from '../../src-main/service/registry'
import { multiPlatformImage, singlePlatformImage, type ImageFixture } from '../fixtures/images'
import { berth } from './support/cli'
import {
  listen,
  listenElsewhere,
  seedFake,
  startFakeRegistry,
  startTokenService,
  type Server,
} from './support/fake-registry'
import { tempDir } from './support/registry'
import { loadFixture } from './support/stores'

/** A resolver answering from a table, recording what it was asked; unknown names fail as DNS would. */
function tableResolver(table: Record<string, string[] | (() => string[])>): Resolver & { asked: string[] } {
  const asked: string[] = []
  const r = async (hostname: string) => {
    asked.push(hostname)
    const entry = table[hostname]
    const answers = typeof entry === 'function' ? entry() : entry
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return answers.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }))
  }
  return Object.assign(r, { asked })
}

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.200.1.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (address, want) => {
    expect(classifyAddress(address)).toBe(want)
  })

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('registry.example.com')).toThrow(/not an IP address/)
  })
})

describe('admitting a host the registry points at', () => {
  const resolver = tableResolver({
    'registry.example.com': ['93.184.216.34'],
    'cdn.example.com': ['151.101.1.1', '2a04:4e42::1'],
    'metadata.example.com': ['169.254.169.254'],
    'intranet.example.com': ['10.1.2.3'],
    'storage.intranet.example.com': ['10.1.9.9'],
    'registry.intranet.example.com': ['10.1.2.4'],
    'split.example.com': ['151.101.1.1', '127.0.0.1'],
    'mapped.example.com': ['::ffff:192.168.0.10'],
    localhost: ['127.0.0.1', '::1'],
  })
  const admit = async (target: string, registry: string) =>
    admitHost(target, registry, await classesOf(registry, resolver), resolver, 'a redirect')

  it('lets a public registry send you only to public addresses', async () => {
    expect(await admit('cdn.example.com', 'registry.example.com')).toHaveLength(2)
    for (const [target, cls] of [
      ['metadata.example.com', 'link-local'],
      ['intranet.example.com', 'private'],
      ['localhost', 'loopback'],
      ['127.0.0.1', 'loopback'],
      ['[::1]', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['mapped.example.com', 'private'],
    ]) {
      const e = await admit(target, 'registry.example.com').catch((x: unknown) => x)
      expect(isKind(e, 'failed-precondition'), target).toBe(true)
      expect((e as Error).message).toMatch(new RegExp(`a ${cls} address`))
      expect((e as Error).message).toContain('registry.example.com')
    }
  })

  it('refuses a host when any of its answers is refused', async () => {
    await expect(admit('split.example.com', 'registry.example.com')).rejects.toThrow(/127\.0\.0\.1/)
  })

  it('lets a registry on a private network send you to that network, not to this machine', async () => {
    expect(await admit('storage.intranet.example.com', 'registry.intranet.example.com:5000')).toEqual([
      { address: '10.1.9.9', family: 4 },
    ])
    await expect(admit('localhost', 'registry.intranet.example.com:5000')).rejects.toThrow(/loopback/)
    await expect(admit('metadata.example.com', 'registry.intranet.example.com')).rejects.toThrow(/link-local/)
  })

  it('lets a loopback registry use loopback hosts', async () => {
    expect(await admit('127.0.0.2', 'localhost:5000')).toEqual([{ address: '127.0.0.2', family: 4 }])
    await expect(admit('intranet.example.com', '127.0.0.1:5000')).rejects.toThrow(/private/)
  })

  it('classifies IP literals without asking the resolver', async () => {
    resolver.asked.length = 0
    await expect(admit('10.0.0.1', '127.0.0.1:5000')).rejects.toThrow(/private/)
    expect(resolver.asked).toEqual([])
  })
})

describe('realms and redirects, through the Pull dialog check (service)', () => {
  let tmp: { dir: string; remove: () => void }
  let ctx: Berth
  let fx: ImageFixture
  const servers: Server[] = []
  const started = <T extends Server>(s: T): T => {
    servers.push(s)
    return s
  }
  beforeAll(() => {
    tmp = tempDir('berth-destinations-')
    ctx = openBerth({ root: join(tmp.dir, 'root'), host: { os: 'linux', architecture: 'amd64' } })
    fx = multiPlatformImage({ seed: 'destinations', platforms: ['linux/amd64', 'linux/arm64'] })
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop()
  })
  afterAll(() => {
    ctx?.close()
    tmp?.remove()
  })
  const check = (ref: string, resolver: Resolver) =>
    inspect(ctx, { logins: new MemoryCredentialStore(), transport: { resolver, retries: 0 } }, { ref })

  it('refuses a plain-HTTP token realm on a host that is not loopback, without resolving it', async () => {
    const issued = new Set<string>()
    const reg = started(
      await startFakeRegistry({ kind: 'bearer', realm: 'http://tokens.test/token', service: 's', issued }),
    )
    seedFake(reg, 'team/app', '1', fx)
    const resolver = tableResolver({ 'tokens.test': ['127.0.0.3'] })
    const e = await check(`${reg.host}/team/app:1`, resolver).catch((x: unknown) => x)
    expect(isKind(e, 'failed-precondition')).toBe(true)
    expect((e as Error).message).toMatch(/token services must use HTTPS/)
    expect(resolver.asked).toEqual([])
  })

  it('refuses a token realm on a private network when the registry is on loopback', async () => {
    const issued = new Set<string>()
    const reg = started(
      await startFakeRegistry({ kind: 'bearer', realm: 'https://auth.test/token', service: 's', issued }),
    )
    seedFake(reg, 'team/app', '1', fx)
    const resolver = tableResolver({ 'auth.test': ['10.20.30.40'] })
    const e = await check(`${reg.host}/team/app:1`, resolver).catch((x: unknown) => x)
    expect(isKind(e, 'failed-precondition')).toBe(true)
    expect((e as Error).message).toMatch(/10\.20\.30\.40, a private address/)
    expect(resolver.asked).toEqual(['auth.test'])
  })

  it('takes a token from a loopback realm for a loopback registry', async () => {
    const issued = new Set<string>()
    const tokens = started(await startTokenService({}, issued, 'elsewhere'))
    const reg = started(
      await startFakeRegistry({ kind: 'bearer', realm: tokens.realm, service: 's', issued }),
    )
    seedFake(reg, 'team/app', '1', fx)
    const info = await check(`${reg.host}/team/app:1`, tableResolver({}))
    expect(info.digest).toBe(fx.target.digest)
    expect(info.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(tokens.log).toHaveLength(1)
  })

  it('refuses a redirect to a link-local address, and to plain HTTP on another host', async () => {
    const reg = started(await startFakeRegistry())
    seedFake(reg, 'team/app', '1', fx)
    const resolver = tableResolver({ 'metadata.test': ['169.254.169.254'], 'plain.test': ['127.0.0.9'] })
    reg.redirect = (_m, p) =>
      p.includes('/manifests/') ? { status: 307, location: 'https://metadata.test/latest' } : undefined
    const e1 = await check(`${reg.host}/team/app:1`, resolver).catch((x: unknown) => x)
    expect(isKind(e1, 'failed-precondition')).toBe(true)
    expect((e1 as Error).message).toMatch(/169\.254\.169\.254, a link-local address/)

    reg.redirect = (_m, p) =>
      p.includes('/manifests/') ? { status: 302, location: 'http://plain.test/x' } : undefined
    const e2 = await check(`${reg.host}/team/app:1`, resolver).catch((x: unknown) => x)
    expect((e2 as Error).message).toMatch(/refusing plain HTTP to plain\.test/)
    expect(resolver.asked).toEqual(['metadata.test'])
  })

  it('connects to the addresses it checked: a name is resolved once per redirect', async () => {
    // A rebinding resolver: a loopback answer first (allowed for this loopback registry), then a
    // private one. The connection must go where the first answer said, without asking again.
    const storage = started(await listenElsewhere((_req, res) => void res.end('from storage')))
    const storageIp = storage.host.slice(0, storage.host.lastIndexOf(':'))
    let calls = 0
    const resolver = tableResolver({ 'storage.test': () => (calls++ === 0 ? [storageIp] : ['10.6.6.6']) })
    const location = `http://storage.test:${storage.port}/blob`
    const reg = started(await listen((_req, res) => void res.writeHead(307, { Location: location }).end()))
    const t = new Transport({ resolver, insecureHosts: [`storage.test:${storage.port}`], retries: 0 })
    try {
      const get = () =>
        t.send({ method: 'GET', url: new URL(`http://${reg.host}/v2/blob`), registry: reg.host })
      expect(await (await get()).text()).toBe('from storage')
      expect(resolver.asked).toEqual(['storage.test'])
      // The next request checks again, and this time the answer is refused before any connection.
      await expect(get()).rejects.toThrow(/10\.6\.6\.6, a private address/)
      expect(storage.log).toHaveLength(1)
    } finally {
      t.close()
    }
  })
})

describe('redirects with a body (CLI push)', () => {
  it('never follows a redirect that keeps an upload body to another host', async () => {
    const tmp = tempDir('berth-redirect-body-')
    const reg = await startFakeRegistry()
    const got: string[] = []
    const other = await listenElsewhere((req, res) => {
      got.push(`${req.method} ${req.url}`)
      reg.uploads(req, res)
    })
    try {
      const fx = singlePlatformImage({ seed: 'redirect-body' })
      const root = join(tmp.dir, 'root')
      const b = openBerth({ root })
      await loadFixture({ cs: b.content, images: b.images, ns: 'default' }, fx, 'local/app:1')
      b.close()
      // 301 and 302 keep a PUT's method and body as 307 and 308 do; only POST becomes a GET.
      for (const status of [301, 302, 307, 308]) {
        reg.redirect = (m, p) =>
          m === 'PUT' && p.startsWith('/upload/') ? { status, location: `${other.url}${p}` } : undefined
        const r = await berth('--root', root, 'push', 'local/app:1', `${reg.host}/team/app:${status}`)
        expect(r.code).toBe(1)
        expect(r.err).toMatch(new RegExp(`refusing to follow a ${status} redirect of a PUT with a body`))
        expect(got).toEqual([])
      }
      expect(reg.tags.size).toBe(0)
    } finally {
      await reg.stop()
      await other.stop()
      tmp.remove()
    }
  })
})
