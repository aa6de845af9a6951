// Credentials stay with their registry's origin (issue 10 item 1), through the real CLI: after
// `berth login` (or a Docker config login), a push to a registry whose upload Location names another
// origin must not hand that origin the registry's Authorization, and a 401 from it must not steer
// the registry's authorizer to its token realm. The registry is a node:http fake on 127.0.0.1; the
// other origin listens on 127.0.0.2.
import { mkdirSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openBerth } from '../../src-main/service/berth'
import { fakeHelper } from '../cli/fake-helper'
import { singlePlatformImage, type ImageFixture } from '../fixtures/images'
import { berth, berthProcess } from './support/cli'
import { listenElsewhere, startFakeRegistry, startTokenService, type Server } from './support/fake-registry'
import { tempDir } from './support/registry'
import { loadFixture } from './support/stores'

const PASSWORD = 'alice-Secret-99'

describe('credentials never leave the registry origin (CLI)', () => {
  let tmp: { dir: string; remove: () => void }
  let fx: ImageFixture
  const servers: Server[] = []
  const started = <T extends Server>(s: T): T => {
    servers.push(s)
    return s
  }

  beforeAll(() => {
    tmp = tempDir('berth-scope-')
    fx = singlePlatformImage({ seed: 'scope' })
    // `berth login` keeps secrets in the OS keychain through a credential helper: a fake one plays it.
    fakeHelper(join(tmp.dir, 'bin'), 'berth-test', join(tmp.dir, 'keychain.json'))
    process.env.PATH = `${join(tmp.dir, 'bin')}${delimiter}${process.env.PATH}`
    process.env.BERTH_CREDENTIAL_HELPER = 'berth-test'
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop()
  })
  afterAll(() => tmp?.remove())

  /** Runs `berth` with a Docker config that holds a login for `host`, as many users have one. */
  async function withDockerLogin(host: string, ...argv: string[]): ReturnType<typeof berth> {
    const docker = join(tmp.dir, `docker-${host.replace(/[^0-9a-z]/gi, '-')}`)
    mkdirSync(docker, { recursive: true })
    const auth = Buffer.from(`alice:${PASSWORD}`).toString('base64')
    writeFileSync(join(docker, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }))
    const before = process.env.DOCKER_CONFIG
    process.env.DOCKER_CONFIG = docker
    try {
      return await berth(...argv)
    } finally {
      if (before === undefined) delete process.env.DOCKER_CONFIG
      else process.env.DOCKER_CONFIG = before
    }
  }

  async function rootWithImage(name: string): Promise<string> {
    const root = join(tmp.dir, name)
    const b = openBerth({ root })
    try {
      await loadFixture({ cs: b.content, images: b.images, ns: 'default' }, fx, 'local/app:1')
    } finally {
      b.close()
    }
    return root
  }

  it('sends the upload to another origin without the Basic credentials `berth login` stored', async () => {
    const reg = started(await startFakeRegistry({ kind: 'basic', users: { alice: PASSWORD } }))
    const other = started(await listenElsewhere((req, res) => reg.uploads(req, res)))
    reg.uploadOrigin = other.url
    const root = await rootWithImage('basic')

    const login = await berthProcess(
      ['--root', root, 'login', '-u', 'alice', '--password-stdin', reg.host],
      `${PASSWORD}\n`,
    )
    expect(login, login.err).toMatchObject({ code: 0, out: 'Login Succeeded\n' })

    const pushed = await berth('--root', root, 'push', 'local/app:1', `${reg.host}/team/app:1`)
    expect(other.log.length, 'the uploads went to the other origin').toBeGreaterThan(0)
    expect(other.log.map((r) => r.authorization)).toEqual(other.log.map(() => undefined))
    expect(pushed.err).not.toMatch(/^berth:/m)
    expect(pushed.code).toBe(0)
    // The registry itself got the credentials, and the image is there.
    expect(reg.log.some((r) => r.method === 'PUT' && r.authorization?.startsWith('Basic '))).toBe(true)
    expect(reg.tags.get('team/app:1')).toBe(fx.target.digest)
  })

  it("never lets another origin's 401 send the password to that origin's token realm", async () => {
    const issued = new Set<string>()
    const tokens = started(await startTokenService({ alice: PASSWORD }, issued))
    const reg = started(
      await startFakeRegistry({ kind: 'bearer', realm: tokens.realm, service: 'fake', issued }),
    )
    // The other origin plays a registry of its own: it challenges, and its realm would take a password.
    let evilUrl = ''
    const evil = started(
      await listenElsewhere((req, res) => {
        req.resume()
        if (req.url?.startsWith('/token')) {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"from-evil"}')
          return
        }
        res
          .writeHead(401, { 'WWW-Authenticate': `Bearer realm="${evilUrl}/token",service="evil"` })
          .end('{"errors":[{"code":"UNAUTHORIZED"}]}')
      }),
    )
    evilUrl = evil.url
    reg.uploadOrigin = evil.url
    const root = await rootWithImage('bearer')
    // This login comes from a Docker config. One blob at a time, so every request the push makes has
    // been answered when it returns.
    const pushed = await withDockerLogin(
      reg.host,
      '--root',
      root,
      'push',
      '--concurrency',
      '1',
      'local/app:1',
      `${reg.host}/team/app:1`,
    )
    // The registry's own realm was used with the password; the other origin saw no credential at all.
    expect(tokens.log.some((r) => r.authorization?.startsWith('Basic '))).toBe(true)
    expect(evil.log.length).toBeGreaterThan(0)
    expect(evil.log.filter((r) => r.path.startsWith('/token'))).toEqual([])
    expect(evil.log.map((r) => r.authorization)).toEqual(evil.log.map(() => undefined))
    expect(pushed.code).toBe(1)
    expect(pushed.err).toContain(evil.host)
    expect(pushed.err).toMatch(/credentials .* only to/)
    expect(pushed.err).not.toContain(PASSWORD)
    expect(reg.tags.size).toBe(0)
  })

  it('applies the plain-HTTP rule to the upload Location, not only to redirects', async () => {
    const reg = started(await startFakeRegistry({ kind: 'basic', users: { alice: PASSWORD } }))
    // Neither loopback nor marked insecure: refused before it is even looked up.
    reg.uploadOrigin = 'http://uploads.test'
    const root = await rootWithImage('plain')
    const pushed = await withDockerLogin(
      reg.host,
      '--root',
      root,
      'push',
      'local/app:1',
      `${reg.host}/team/app:1`,
    )
    expect(pushed.code).toBe(1)
    expect(pushed.err).toMatch(/refusing plain HTTP to uploads\.test/)
    expect(reg.tags.size).toBe(0)
  })
})
