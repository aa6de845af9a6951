// `berth login` keeps secrets in the OS keychain through a docker credential helper, never in a file
// beside its key. A fake helper (a script this test writes onto PATH, speaking the helper protocol into
// a JSON file) plays the keychain; a real registry with Basic auth over HTTPS checks the logins.
import { createCipheriv, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ociArchive, singlePlatformImage } from '../fixtures/images'
import { htpasswdLine, makeServerCerts } from '../registry/support/certs'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from '../registry/support/registry'
import { berth, type Run } from './cli'
import { fakeHelper } from './fake-helper'

const present = hasRegistry() && process.platform !== 'win32'
if (process.platform === 'win32')
  console.warn('skipping CLI login tests: the fake credential helper is a script')

const PASSWORD = 'dora-secret-pw-4711'
const app = singlePlatformImage({ name: 'docker.io/library/app:1', seed: 'logins' })

/** Every file under `dir`, for checking that no secret was written there. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

describe.skipIf(!present)('berth login, logout and the OS keychain', () => {
  let tmp: { dir: string; remove: () => void }
  let secure: RunningRegistry
  let caFile: string
  let bin: string
  let keychain: string
  let env: Record<string, string>
  const root = () => join(tmp.dir, 'root')
  const run = (args: string[], extra: Record<string, string> = {}, input?: string): Run =>
    berth(root(), args, { ...env, ...extra }, input)
  const keychainDb = () =>
    JSON.parse(readFileSync(keychain, 'utf8')) as {
      entries: Record<string, { Username: string; Secret: string }>
      argv: string[][]
    }

  beforeAll(async () => {
    tmp = tempDir('berth-cli-logins-')
    const tls = makeServerCerts(tmp.dir)
    caFile = tls.caCert
    const htpasswd = join(tmp.dir, 'htpasswd')
    writeFileSync(htpasswd, `${htpasswdLine('dora', PASSWORD)}\n`)
    secure = await startRegistry({ tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem }, htpasswd })
    bin = join(tmp.dir, 'bin')
    keychain = join(tmp.dir, 'keychain.json')
    fakeHelper(bin, 'secretservice', keychain)
    const docker = join(tmp.dir, 'docker')
    mkdirSync(docker)
    // Only the fake helper is on PATH; Docker's own configuration is an empty one.
    env = { PATH: bin, DOCKER_CONFIG: docker, BERTH_CREDENTIAL_HELPER: '' }
    writeFileSync(join(tmp.dir, 'app.tar'), ociArchive([app]))
    expect(run(['images', 'import', join(tmp.dir, 'app.tar')]).code).toBe(0)
  })
  afterAll(async () => {
    await secure?.stop()
    tmp?.remove()
  })

  it('refuses to log in where no credential helper is found, before asking the registry', () => {
    const r = run(
      ['login', '-u', 'dora', '--password-stdin', '--ca', caFile, secure.host],
      { PATH: join(tmp.dir, 'empty') },
      `${PASSWORD}\n`,
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^berth: login: no OS keychain to keep the login in: docker-credential-secretservice or docker-credential-pass is not on PATH/,
    )
    expect(filesUnder(root()).filter((f) => /login/.test(relative(root(), f)))).toEqual([])
  })

  it('logs in through the helper: the secret is in the keychain and nowhere under the store root', () => {
    const r = run(
      ['login', '-u', 'dora', '--password-stdin', '--ca', caFile, secure.host],
      {},
      `${PASSWORD}\n`,
    )
    expect(r.stderr).not.toMatch(/^berth:/m)
    expect(r).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' })
    const db = keychainDb()
    expect(db.entries[`https://${secure.host}/berth-cli`]).toEqual({ Username: 'dora', Secret: PASSWORD })
    // The secret crossed on stdin only: never as an argument.
    expect(db.argv.flat().join(' ')).not.toContain(PASSWORD)
    for (const f of filesUnder(root())) expect(readFileSync(f).includes(PASSWORD), f).toBe(false)
  })

  it('push and pull use the stored login; after logout the registry refuses', () => {
    const pushed = run(['push', '--ca', caFile, 'app:1', `${secure.host}/team/app:1`])
    expect(pushed.stderr).not.toMatch(/^berth:/m)
    expect(pushed.code).toBe(0)
    expect(run(['pull', '--ca', caFile, `${secure.host}/team/app:1`]).code).toBe(0)
    expect(run(['logout', secure.host])).toMatchObject({
      code: 0,
      stdout: `Removed login credentials for ${secure.host}\n`,
    })
    expect(keychainDb().entries).toEqual({})
    const denied = run(['pull', '--ca', caFile, `${secure.host}/team/app:1`])
    expect(denied.code).toBe(1)
    expect(denied.stderr).toMatch(/authentication required/)
    expect(run(['logout', secure.host]).stdout).toBe(`Not logged in to ${secure.host}\n`)
  })

  it('BERTH_CREDENTIAL_HELPER picks the helper, and names it when it is missing', () => {
    fakeHelper(bin, 'vault', join(tmp.dir, 'vault.json'))
    const r = run(
      ['login', '-u', 'dora', '--password-stdin', '--ca', caFile, secure.host],
      { BERTH_CREDENTIAL_HELPER: 'vault' },
      PASSWORD,
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(tmp.dir, 'vault.json'), 'utf8')).entries).toHaveProperty([
      `https://${secure.host}/berth-cli`,
    ])
    const missing = run(['logout', secure.host], { BERTH_CREDENTIAL_HELPER: 'nothere' })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      'berth: BERTH_CREDENTIAL_HELPER=nothere, but docker-credential-nothere is not on PATH\n',
    )
    expect(run(['logout', secure.host], { BERTH_CREDENTIAL_HELPER: 'vault' }).code).toBe(0)
  })

  describe('logins kept by earlier versions in <root>/cli-logins.json beside their key', () => {
    /** The old format: AES-256-GCM with a key file next to the ciphertext. */
    function writeLegacy(host: string, username: string, secret: string): void {
      const key = randomBytes(32)
      writeFileSync(join(root(), 'cli-logins.key'), key, { mode: 0o600 })
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(secret, 'utf8'), c.final()])
      const blob = Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')
      writeFileSync(
        join(root(), 'cli-logins.json'),
        JSON.stringify({ version: 1, hosts: { [host]: { username, secret: blob } } }),
        { mode: 0o600 },
      )
    }

    it('are refused, with a message saying what to do, where no keychain is available', () => {
      writeLegacy(secure.host, 'dora', PASSWORD)
      const r = run(['pull', '--ca', caFile, `${secure.host}/team/app:1`], { PATH: join(tmp.dir, 'empty') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(
        `berth: warning: ${join(root(), 'cli-logins.json')} holds logins that Berth no longer uses`,
      )
      expect(r.stderr).toMatch(/authentication required/)
      expect(existsSync(join(root(), 'cli-logins.json'))).toBe(true)
    })

    it('move into the keychain at the next registry command, and the file and its key are deleted', () => {
      const r = run(['pull', '--ca', caFile, `${secure.host}/team/app:1`])
      expect(r.stderr).toContain(
        `berth: moved 1 login from ${join(root(), 'cli-logins.json')} into the OS keychain`,
      )
      expect(r.code).toBe(0)
      expect(existsSync(join(root(), 'cli-logins.json'))).toBe(false)
      expect(existsSync(join(root(), 'cli-logins.key'))).toBe(false)
      expect(keychainDb().entries[`https://${secure.host}/berth-cli`]).toEqual({
        Username: 'dora',
        Secret: PASSWORD,
      })
      // Moved once: the next command has nothing to say.
      expect(run(['pull', '--ca', caFile, `${secure.host}/team/app:1`]).stderr).not.toContain('moved')
    })
  })
})
