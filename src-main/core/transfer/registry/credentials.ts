// Where a registry's credentials come from: the app's own logins (a CredentialStore whose file holds
// only ciphertext: the Electron side encrypts with safeStorage), then the user's Docker configuration
// (`auths`, `credHelpers`, `credsStore` through the docker-credential-* helper protocol).
// Secrets are returned to the caller and nowhere else: never logged, never put into an error.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { failedPrecondition } from '../../errors'
import { parseGet, runHelper, validHelperName } from './credential-helper'

export interface Credentials {
  /** Empty with an identity (refresh) token, as Docker's helpers spell it: username `<token>`. */
  username: string
  /** A password, or an identity token when username is empty. */
  secret: string
}

export type CredentialSource = (host: string) => Promise<Credentials | undefined>

/** The app's own logins. Implementations must not keep secrets in plain text. */
export interface CredentialStore {
  get(host: string): Promise<Credentials | undefined>
  set(host: string, creds: Credentials): Promise<void>
  /** True when there was something to remove. */
  delete(host: string): Promise<boolean>
  /** Hosts with a login; never secrets. */
  list(): Promise<{ host: string; username: string }[]>
}

export interface Cipher {
  encrypt(plain: string): Uint8Array | Promise<Uint8Array>
  decrypt(cipher: Uint8Array): string | Promise<string>
}

interface StoreFile {
  version: 1
  hosts: Record<string, { username: string; secret: string }>
}

/** Logins as `{host: {username, secret: base64(encrypt(secret))}}` in a 0600 file written atomically. */
export class FileCredentialStore implements CredentialStore {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
  ) {}

  private async load(): Promise<StoreFile> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hosts: {} }
      throw e
    }
    try {
      const j = JSON.parse(text) as StoreFile
      if (j.version !== 1 || typeof j.hosts !== 'object' || j.hosts === null) throw new Error('bad shape')
      return j
    } catch {
      throw failedPrecondition(`credential file ${this.file} is damaged: log in again after removing it`)
    }
  }

  private async save(f: StoreFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 })
    const tmp = `${this.file}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(f, null, 2), { mode: 0o600 })
    await rename(tmp, this.file)
  }

  async get(host: string): Promise<Credentials | undefined> {
    const e = (await this.load()).hosts[normalizeHost(host)]
    if (!e) return undefined
    const secret = await this.cipher.decrypt(Buffer.from(e.secret, 'base64'))
    return { username: e.username, secret }
  }

  async set(host: string, creds: Credentials): Promise<void> {
    const f = await this.load()
    const enc = await this.cipher.encrypt(creds.secret)
    f.hosts[normalizeHost(host)] = { username: creds.username, secret: Buffer.from(enc).toString('base64') }
    await this.save(f)
  }

  async delete(host: string): Promise<boolean> {
    const f = await this.load()
    const h = normalizeHost(host)
    if (!(h in f.hosts)) return false
    delete f.hosts[h]
    await this.save(f)
    return true
  }

  async list(): Promise<{ host: string; username: string }[]> {
    const f = await this.load()
    return Object.entries(f.hosts)
      .map(([host, e]) => ({ host, username: e.username }))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
  }
}

/** A store that forgets on exit, for tests and for "don't remember me". */
export class MemoryCredentialStore implements CredentialStore {
  private readonly m = new Map<string, Credentials>()
  async get(host: string): Promise<Credentials | undefined> {
    return this.m.get(normalizeHost(host))
  }
  async set(host: string, creds: Credentials): Promise<void> {
    this.m.set(normalizeHost(host), { ...creds })
  }
  async delete(host: string): Promise<boolean> {
    return this.m.delete(normalizeHost(host))
  }
  async list(): Promise<{ host: string; username: string }[]> {
    return [...this.m]
      .map(([host, c]) => ({ host, username: c.username }))
      .sort((a, b) => (a.host < b.host ? -1 : 1))
  }
}

const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']

/** `https://host/v1/` and friends as plain `host[:port]`; Docker Hub's many names as `docker.io`. */
export function normalizeHost(host: string): string {
  let h = host.trim().replace(/^[a-z]+:\/\//i, '')
  h = h.split('/')[0] ?? h
  if (HUB_KEYS.some((k) => k.replace(/^https:\/\//, '').replace(/\/.*$/, '') === h)) return 'docker.io'
  return h.toLowerCase()
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credHelpers?: Record<string, string>
  credsStore?: string
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG ?? join(homedir(), '.docker')
  return join(dir, 'config.json')
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin; undefined when it has nothing. */
export async function credentialHelperGet(
  helper: string,
  serverUrl: string,
  opts: { timeoutMs?: number } = {},
): Promise<Credentials | undefined> {
  const program = `docker-credential-${validHelperName(helper)}`
  return parseGet(program, serverUrl, await runHelper(program, 'get', serverUrl, opts))
}

function fromAuthEntry(e: NonNullable<DockerConfig['auths']>[string]): Credentials | undefined {
  if (e.identitytoken) return { username: '', secret: e.identitytoken }
  if (e.auth) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8')
    const i = plain.indexOf(':')
    if (i < 0) return undefined
    return { username: plain.slice(0, i), secret: plain.slice(i + 1) }
  }
  if (e.username && e.password) return { username: e.username, secret: e.password }
  return undefined
}

/** Credentials from a Docker config file, as the docker CLI would find them. */
export function dockerConfigSource(file = dockerConfigPath()): CredentialSource {
  return async (host) => {
    let cfg: DockerConfig
    try {
      cfg = JSON.parse(await readFile(file, 'utf8')) as DockerConfig
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw failedPrecondition(`cannot read Docker configuration ${file}: it is not valid JSON`)
    }
    const want = normalizeHost(host)
    // Docker Hub's helpers and auths are keyed by its v1 URL.
    const serverUrl = want === 'docker.io' ? 'https://index.docker.io/v1/' : want
    const helper = Object.entries(cfg.credHelpers ?? {}).find(([k]) => normalizeHost(k) === want)?.[1]
    if (helper) return credentialHelperGet(helper, serverUrl)
    if (cfg.credsStore) {
      const c = await credentialHelperGet(cfg.credsStore, serverUrl)
      if (c) return c
    }
    const entry = Object.entries(cfg.auths ?? {}).find(([k]) => normalizeHost(k) === want)?.[1]
    return entry ? fromAuthEntry(entry) : undefined
  }
}

/** The first source that knows the host wins. */
export function chainSources(
  ...sources: (CredentialSource | CredentialStore | undefined)[]
): CredentialSource {
  return async (host) => {
    for (const s of sources) {
      if (!s) continue
      const c = typeof s === 'function' ? await s(host) : await s.get(host)
      if (c) return c
    }
    return undefined
  }
}
