// Configuration 2: docker-registry with htpasswd Basic auth over HTTPS, its certificate signed by a
// CA the test makes. Pull and push with the CA given as the extra trust root; refusals for a missing
// CA, a wrong password and no credentials; login that checks before it stores, and stores ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import {
  FileCredentialStore,
  MemoryCredentialStore,
  type Cipher,
} from '../../src-main/core/transfer/registry/credentials'
import { isRegistryError } from '../../src-main/core/transfer/registry/errors'
import { login, logout } from '../../src-main/core/transfer/registry/login'
import { pull } from '../../src-main/core/transfer/registry/pull'
import { push } from '../../src-main/core/transfer/registry/push'
import { multiPlatformImage, platformOf, type ImageFixture } from '../fixtures/images'
import { htpasswdLine, makeServerCerts, type TlsFiles } from './support/certs'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from './support/registry'
import { blobBytes, loadFixture, openStores, type Stores } from './support/stores'

const PASSWORD = 'wonderland-7f3a'
const present = hasRegistry()

/** What the Electron side does with safeStorage, done here with a key in memory. */
function testCipher(): Cipher {
  const key = randomBytes(32)
  return {
    encrypt: (plain) => {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decrypt: (buf) => {
      const b = Buffer.from(buf)
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12))
      d.setAuthTag(b.subarray(12, 28))
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

describe.skipIf(!present)('registry with htpasswd Basic auth over HTTPS', () => {
  let reg: RunningRegistry
  let tls: TlsFiles
  let fx: ImageFixture
  let tmp: { dir: string; remove: () => void }
  const opened: Stores[] = []
  const stores = (): Stores => {
    const s = openStores()
    opened.push(s)
    return s
  }
  const creds = (password = PASSWORD): MemoryCredentialStore => {
    const m = new MemoryCredentialStore()
    void m.set(reg.host, { username: 'alice', secret: password })
    return m
  }

  beforeAll(async () => {
    tmp = tempDir('berth-basic-')
    tls = makeServerCerts(tmp.dir)
    const htpasswd = join(tmp.dir, 'htpasswd')
    writeFileSync(htpasswd, `${htpasswdLine('alice', PASSWORD)}\n`)
    reg = await startRegistry({ tls: { cert: tls.cert, key: tls.key, caPem: tls.caPem }, htpasswd })
    fx = multiPlatformImage({ seed: 'basic', platforms: ['linux/amd64', 'linux/arm64'] })
    const src = stores()
    await loadFixture(src, fx, 'local/basic:1')
    const m = creds()
    await push({
      ...src,
      name: 'local/basic:1',
      ref: `${reg.host}/secure/app:1`,
      registry: { ca: tls.caPem, credentials: (h) => m.get(h) },
    })
  })
  afterAll(async () => {
    for (const s of opened) s.close()
    await reg?.stop()
    tmp?.remove()
  })

  it('pulls over HTTPS with the extra CA and Basic credentials, byte-identical', async () => {
    const s = stores()
    const m = creds()
    const { image } = await pull({
      ...s,
      ref: `${reg.host}/secure/app:1`,
      platforms: 'all',
      registry: { ca: tls.caPem, credentials: (h) => m.get(h) },
    })
    expect(image.target.digest).toBe(fx.target.digest)
    for (const [d, data] of fx.blobs) expect(blobBytes(s, d).equals(Buffer.from(data))).toBe(true)
  })

  it('refuses a server whose certificate it cannot verify, without falling back to plain HTTP', async () => {
    const s = stores()
    const m = creds()
    const e = await pull({
      ...s,
      ref: `${reg.host}/secure/app:1`,
      host: platformOf('linux/amd64'),
      registry: { credentials: (h) => m.get(h), retries: 0 },
    }).catch((x: unknown) => x)
    expect(isKind(e, 'unavailable')).toBe(true)
    expect((e as Error).message).toContain(reg.host)
    expect((e as Error).message).toMatch(/certificate/i)
  })

  it('skips certificate verification only for a host marked insecure', async () => {
    const s = stores()
    const m = creds()
    const { image } = await pull({
      ...s,
      ref: `${reg.host}/secure/app:1`,
      host: platformOf('linux/amd64'),
      registry: { insecureHosts: [reg.host], credentials: (h) => m.get(h) },
    })
    expect(image.target.digest).toBe(fx.target.digest)
  })

  it('reports a wrong password as unauthorized, never echoing it', async () => {
    const s = stores()
    const m = creds('not-the-password')
    const e = await pull({
      ...s,
      ref: `${reg.host}/secure/app:1`,
      registry: { ca: tls.caPem, credentials: (h) => m.get(h) },
    }).catch((x: unknown) => x)
    expect(isRegistryError(e, 'unauthorized')).toBe(true)
    expect(isKind(e, 'failed-precondition')).toBe(true)
    expect((e as Error).message).not.toContain('not-the-password')
    expect(JSON.stringify(e)).not.toContain('not-the-password')
    expect(s.images.list(s.ns)).toEqual([])
  })

  it('reports missing credentials as unauthorized', async () => {
    const s = stores()
    const e = await pull({ ...s, ref: `${reg.host}/secure/app:1`, registry: { ca: tls.caPem } }).catch(
      (x: unknown) => x,
    )
    expect(isRegistryError(e, 'unauthorized')).toBe(true)
  })

  it('logs in only with good credentials and keeps only ciphertext on disk', async () => {
    const file = join(tmp.dir, 'logins.json')
    const store = new FileCredentialStore(file, testCipher())
    await expect(
      login({
        host: reg.host,
        credentials: { username: 'alice', secret: 'nope' },
        store,
        registry: { ca: tls.caPem },
      }),
    ).rejects.toSatisfy(
      (e: unknown) => isRegistryError(e, 'unauthorized') && !(e as Error).message.includes('nope'),
    )
    expect(await store.list()).toEqual([])
    await login({
      host: reg.host,
      credentials: { username: 'alice', secret: PASSWORD },
      store,
      registry: { ca: tls.caPem },
    })
    expect(await store.list()).toEqual([{ host: reg.host, username: 'alice' }])
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD)
    expect((await store.get(reg.host))?.secret).toBe(PASSWORD)
    // The stored login is what a pull then uses.
    const s = stores()
    await pull({
      ...s,
      ref: `${reg.host}/secure/app:1`,
      host: platformOf('linux/arm64'),
      registry: { ca: tls.caPem, credentials: (h) => store.get(h) },
    })
    expect(await logout(reg.host, store)).toBe(true)
    expect(await store.list()).toEqual([])
  })
})
