// Where credentials come from: WWW-Authenticate challenges, Docker's config.json (`auths`,
// `credHelpers`, `credsStore` through a real helper program), and the app's encrypted login file.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import { parseChallenges } from '../../src-main/core/transfer/registry/auth'
import {
  FileCredentialStore,
  MemoryCredentialStore,
  chainSources,
  dockerConfigSource,
  normalizeHost,
} from '../../src-main/core/transfer/registry/credentials'
import { tempDir } from './support/registry'

describe('parseChallenges', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/nginx:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="r", error="insufficient_scope", Basic realm="b"',
      [
        { scheme: 'bearer', params: { realm: 'r', error: 'insufficient_scope' } },
        { scheme: 'basic', params: { realm: 'b' } },
      ],
    ],
    [
      'Bearer realm="a \\"quoted\\" realm",service=plain',
      [{ scheme: 'bearer', params: { realm: 'a "quoted" realm', service: 'plain' } }],
    ],
    ['', []],
  ])('%s', (header, want) => {
    expect(parseChallenges(header)).toEqual(want)
  })
})

describe('credentials', () => {
  let tmp: { dir: string; remove: () => void }
  const oldPath = process.env.PATH
  beforeAll(() => {
    tmp = tempDir('berth-creds-')
    const bin = join(tmp.dir, 'bin')
    mkdirSync(bin)
    // A real helper speaking the docker-credential protocol: server URL on stdin, JSON on stdout.
    const helper = join(bin, 'docker-credential-berthtest')
    writeFileSync(
      helper,
      `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
case "$server" in
  helped.example.com) echo '{"ServerURL":"helped.example.com","Username":"hal","Secret":"from-helper"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"refresh-token"}' ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
    )
    chmodSync(helper, 0o755)
    process.env.PATH = `${bin}:${oldPath}`
  })
  afterAll(() => {
    process.env.PATH = oldPath
    tmp.remove()
  })

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://Registry.Example.com:5000/v2/', 'registry.example.com:5000'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
  ])('normalizeHost(%s) = %s', (h, want) => {
    expect(normalizeHost(h)).toBe(want)
  })

  it('reads auths, credHelpers and credsStore as docker does', async () => {
    const file = join(tmp.dir, 'config.json')
    writeFileSync(
      file,
      JSON.stringify({
        auths: {
          'https://plain.example.com': { auth: Buffer.from('paula:p4ss:with:colons').toString('base64') },
          'id.example.com': { identitytoken: 'idtok' },
        },
        credHelpers: { 'helped.example.com': 'berthtest' },
        credsStore: 'berthtest',
      }),
    )
    const src = dockerConfigSource(file)
    expect(await src('plain.example.com')).toEqual({ username: 'paula', secret: 'p4ss:with:colons' })
    expect(await src('id.example.com')).toEqual({ username: '', secret: 'idtok' })
    expect(await src('helped.example.com')).toEqual({ username: 'hal', secret: 'from-helper' })
    // credsStore answers for Docker Hub by its v1 URL; an identity token comes as <token>.
    expect(await src('registry-1.docker.io')).toEqual({ username: '', secret: 'refresh-token' })
    expect(await src('unknown.example.com')).toBeUndefined()
    expect(await dockerConfigSource(join(tmp.dir, 'absent.json'))('x')).toBeUndefined()
  })

  it('names a missing helper without leaking anything', async () => {
    const file = join(tmp.dir, 'config2.json')
    writeFileSync(file, JSON.stringify({ credHelpers: { 'h.example.com': 'nosuchhelper' } }))
    const e = await dockerConfigSource(file)('h.example.com').catch((x: unknown) => x)
    expect(isKind(e, 'failed-precondition')).toBe(true)
    expect((e as Error).message).toContain('docker-credential-nosuchhelper')
  })

  it('keeps app logins encrypted on disk, and the app store wins over docker config', async () => {
    const file = join(tmp.dir, 'berth', 'logins.json')
    const xor = (b: Uint8Array): Buffer => Buffer.from(Buffer.from(b).map((x) => x ^ 0x5a))
    const store = new FileCredentialStore(file, {
      encrypt: (s) => xor(Buffer.from(s, 'utf8')),
      decrypt: (b) => xor(b).toString('utf8'),
    })
    await store.set('https://Reg.example.com/', { username: 'u', secret: 'top-secret-value' })
    expect(await store.get('reg.example.com')).toEqual({ username: 'u', secret: 'top-secret-value' })
    expect(readFileSync(file, 'utf8')).not.toContain('top-secret-value')
    expect(await store.list()).toEqual([{ host: 'reg.example.com', username: 'u' }])
    const docker = join(tmp.dir, 'config3.json')
    writeFileSync(
      docker,
      JSON.stringify({ auths: { 'reg.example.com': { auth: Buffer.from('d:dpw').toString('base64') } } }),
    )
    const chain = chainSources(store, dockerConfigSource(docker))
    expect((await chain('reg.example.com'))?.username).toBe('u')
    expect(await store.delete('reg.example.com')).toBe(true)
    expect(await store.delete('reg.example.com')).toBe(false)
    expect((await chain('reg.example.com'))?.username).toBe('d')
    writeFileSync(file, 'not json')
    await expect(store.get('x')).rejects.toSatisfy((e: unknown) => isKind(e, 'failed-precondition'))
    const mem = new MemoryCredentialStore()
    await mem.set('a', { username: 'x', secret: 'y' })
    expect(await mem.list()).toEqual([{ host: 'a', username: 'x' }])
  })
})
