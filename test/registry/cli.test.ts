// The registry commands of `berth`, run in-process against a real registry: pull, push (to another
// repository, mounting), login with --password-stdin over HTTPS with Basic auth, logout.
import { writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiPlatformImage, type ImageFixture } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from './support/certs'
import { berth, berthProcess } from './support/cli'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from './support/registry'
import { seedRegistry } from './support/stores'
import { fakeHelper } from '../cli/fake-helper'

const present = hasRegistry()

describe.skipIf(!present)('berth pull / push / login / logout', () => {
  let reg: RunningRegistry
  let secure: RunningRegistry
  let fx: ImageFixture
  let tmp: { dir: string; remove: () => void }
  let caFile: string
  beforeAll(async () => {
    tmp = tempDir('berth-cli-')
    reg = await startRegistry()
    fx = multiPlatformImage({ seed: 'cli', platforms: ['linux/amd64', 'linux/arm64'] })
    await seedRegistry(reg.url, 'cli/app', 'v1', fx)
    const tls = makeServerCerts(tmp.dir)
    caFile = tls.caCert
    const htpasswd = join(tmp.dir, 'htpasswd')
    writeFileSync(htpasswd, `${htpasswdLine('carol', 'carol-pw')}\n`)
    secure = await startRegistry({ tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem }, htpasswd })
    // CLI logins live in the OS keychain through a credential helper: a fake one plays it here, for
    // this process's in-process runs and the spawned ones alike.
    fakeHelper(join(tmp.dir, 'bin'), 'berth-test', join(tmp.dir, 'keychain.json'))
    process.env.PATH = `${join(tmp.dir, 'bin')}${delimiter}${process.env.PATH}`
    process.env.BERTH_CREDENTIAL_HELPER = 'berth-test'
  })
  afterAll(async () => {
    await reg?.stop()
    await secure?.stop()
    tmp?.remove()
  })

  it('pulls one platform, then all, then pushes elsewhere by mounting', async () => {
    const root = join(tmp.dir, 'root1')
    const one = await berth('--root', root, 'pull', '--platform', 'linux/arm64', `${reg.host}/cli/app:v1`)
    expect(one.err).not.toMatch(/^berth:/m)
    expect(one.err).toMatch(/: done/)
    expect(one.code).toBe(0)
    expect(one.out).toContain(`${reg.host}/cli/app:v1 ${fx.target.digest}`)
    const all = await berth('--root', root, '--json', 'pull', '--all-platforms', `${reg.host}/cli/app:v1`)
    expect(all.code).toBe(0)
    expect((JSON.parse(all.out) as { target: { digest: string } }).target.digest).toBe(fx.target.digest)
    const pushed = await berth(
      '--root',
      root,
      '--json',
      'push',
      `${reg.host}/cli/app:v1`,
      `${reg.host}/cli/copy:v2`,
    )
    expect(pushed.code).toBe(0)
    const r = JSON.parse(pushed.out) as { mounted: string[]; desc: { digest: string } }
    expect(r.desc.digest).toBe(fx.target.digest)
    expect(r.mounted.length).toBeGreaterThan(0)
  })

  it('exits non-zero with one line for bad usage and unknown images', async () => {
    const root = join(tmp.dir, 'root2')
    const both = await berth(
      '--root',
      root,
      'pull',
      '--all-platforms',
      '--platform',
      'linux/amd64',
      `${reg.host}/cli/app:v1`,
    )
    // Flags that exclude each other are a usage error.
    expect(both.code).toBe(2)
    expect(both.err).toMatch(/exclude each other/)
    const none = await berth('--root', root, 'pull')
    expect(none.code).toBe(2)
    const missing = await berth('--root', root, 'pull', `${reg.host}/cli/nothing:v1`)
    expect(missing.code).toBe(1)
    expect(missing.err.trim().split('\n')).toHaveLength(1)
    expect(missing.err).toMatch(/not known|unknown/)
  })

  it('logs in with --password-stdin, pulls with the stored login, logs out', async () => {
    const root = join(tmp.dir, 'root3')
    const bad = await berthProcess(
      ['--root', root, 'login', '-u', 'carol', '--password-stdin', '--ca', caFile, secure.host],
      'wrong\n',
    )
    expect(bad, 'wrong password').toMatchObject({ code: 1 })
    expect(bad.err).not.toContain('wrong')
    const good = await berthProcess(
      ['--root', root, 'login', '-u', 'carol', '--password-stdin', '--ca', caFile, secure.host],
      'carol-pw\n',
    )
    expect(good.err).not.toMatch(/^berth:/m)
    expect(good, 'good login').toMatchObject({ code: 0, out: 'Login Succeeded\n' })
    const up = await berth(
      '--root',
      root,
      'push',
      '--ca',
      caFile,
      `${reg.host}/cli/app:v1`,
      `${secure.host}/cli/secure:v1`,
    )
    // Nothing local yet: the push names the missing image.
    expect(up, 'push before pull').toMatchObject({ code: 1 })
    await berth('--root', root, 'pull', '--all-platforms', `${reg.host}/cli/app:v1`)
    const pushed = await berth(
      '--root',
      root,
      'push',
      '--ca',
      caFile,
      `${reg.host}/cli/app:v1`,
      `${secure.host}/cli/secure:v1`,
    )
    expect(pushed.err).not.toMatch(/^berth:/m)
    expect(pushed, 'push').toMatchObject({ code: 0 })
    const out = await berth('--root', root, 'logout', secure.host)
    expect(out, 'logout').toMatchObject({ code: 0, out: `Removed login credentials for ${secure.host}\n` })
    const denied = await berth('--root', root, 'pull', '--ca', caFile, `${secure.host}/cli/secure:v1`)
    expect(denied, 'pull after logout').toMatchObject({ code: 1 })
    expect(denied.err).toMatch(/authentication required/)
  })
})
