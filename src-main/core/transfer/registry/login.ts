// Login checks the credentials against the registry before keeping them, as `docker login` does:
// a wrong password is reported now, not at the next pull.
import { RegistryClient, type RegistryOptions } from './client'
import type { CredentialStore, Credentials } from './credentials'
import { normalizeHost } from './credentials'
import { RegistryError, registryError } from './errors'
import { endpointHost, validateRegistryHost } from './reference'

export interface LoginOptions {
  /** Registry host as users write it: `docker.io`, `registry.example.com:5000`. */
  host: string
  credentials: Credentials
  store: CredentialStore
  registry?: Omit<RegistryOptions, 'credentials' | 'authorizer'>
  signal?: AbortSignal
}

/**
 * Verifies and stores the login. InvalidArgument for a host outside the reference grammar, before
 * anything is sent; Unauthorized (FailedPrecondition) when the registry refuses the credentials.
 */
export async function login(o: LoginOptions): Promise<void> {
  const host = validateRegistryHost(normalizeHost(o.host))
  const client = new RegistryClient({ ...o.registry, credentials: async () => o.credentials })
  try {
    const endpoint = endpointHost(host)
    const res = await client.call(endpoint, '/v2/', { method: 'GET', scopes: [], signal: o.signal })
    const body = await res.text().catch(() => '')
    if (res.status === 401 || res.status === 403) {
      const e = registryError(res.status, body, `logging in to ${host}`)
      throw new RegistryError(
        e.kind,
        'unauthorized',
        res.status,
        e.codes,
        `logging in to ${host}: the registry refused the credentials of ${o.credentials.username || 'the identity token'}`,
      )
    }
    if (res.status !== 200) throw registryError(res.status, body, `logging in to ${host}`)
  } finally {
    client.close()
  }
  await o.store.set(host, o.credentials)
}

export async function logout(host: string, store: CredentialStore): Promise<boolean> {
  return store.delete(normalizeHost(host))
}
