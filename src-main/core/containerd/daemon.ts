// Who is at the other end of the socket: the daemon's version, and its namespaces.
import type { CallOptions, ContainerdConnection } from './client'

export interface DaemonVersion {
  version: string
  revision: string
}

export async function daemonVersion(c: ContainerdConnection, o?: CallOptions): Promise<DaemonVersion> {
  const r = await c.unary<DaemonVersion>('version', 'Version', null, {}, 'asking its version', {
    timeoutMs: 10_000,
    ...o,
  })
  return { version: r.version ?? '', revision: r.revision ?? '' }
}

export interface DaemonNamespace {
  name: string
  labels: Record<string, string>
}

/** The daemon's namespaces in name order (it creates one the first time anything is written there). */
export async function listNamespaces(c: ContainerdConnection, o?: CallOptions): Promise<DaemonNamespace[]> {
  const r = await c.unary<{ namespaces: DaemonNamespace[] }>(
    'namespaces',
    'List',
    null,
    { filter: '' },
    'listing namespaces',
    o,
  )
  return (r.namespaces ?? [])
    .map((n) => ({ name: n.name, labels: { ...(n.labels ?? {}) } }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
