// containerd's Leases service: what keeps a copy's blobs from the daemon's garbage collector until the
// image record that holds them exists. A lease carries containerd.io/gc.expire, so one orphaned by a
// crash (Berth's or the daemon's) stops protecting anything on its own.
import { randomBytes } from 'node:crypto'
import { LABEL_GC_EXPIRE } from '../labels'
import type { Digest } from '../oci'
import type { CallOptions, ContainerdConnection } from './client'

/** How long a copy's lease outlives a Berth that died mid-copy (containerd's client uses 24 h). */
export const COPY_LEASE_EXPIRY_MS = 60 * 60 * 1000

export async function createLease(
  c: ContainerdConnection,
  ns: string,
  opts: { expiresInMs?: number; labels?: Record<string, string> } & CallOptions = {},
): Promise<string> {
  const id = `berth-${Date.now()}-${randomBytes(6).toString('base64url')}`
  const expires = new Date(Date.now() + (opts.expiresInMs ?? COPY_LEASE_EXPIRY_MS))
  const labels = {
    ...(opts.labels ?? {}),
    [LABEL_GC_EXPIRE]: expires.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
  const r = await c.unary<{ lease: { id: string } }>(
    'leases',
    'Create',
    ns,
    { id, labels },
    'creating a lease',
    opts,
  )
  return r.lease?.id || id
}

/** The lease goes; what only it held is collected at the daemon's next GC (now, with sync). */
export async function deleteLease(
  c: ContainerdConnection,
  ns: string,
  id: string,
  opts: { sync?: boolean } & CallOptions = {},
): Promise<void> {
  await c.unary('leases', 'Delete', ns, { id, sync: opts.sync ?? false }, `deleting lease ${id}`, opts)
}

export async function leaseContent(
  c: ContainerdConnection,
  ns: string,
  id: string,
  digest: Digest,
  o?: CallOptions,
): Promise<void> {
  await c.unary(
    'leases',
    'AddResource',
    ns,
    { id, resource: { id: digest, type: 'content' } },
    `adding ${digest} to lease ${id}`,
    o,
  )
}

export async function listLeases(c: ContainerdConnection, ns: string, o?: CallOptions): Promise<string[]> {
  const r = await c.unary<{ leases: { id: string }[] }>(
    'leases',
    'List',
    ns,
    { filters: [] },
    'listing leases',
    o,
  )
  return (r.leases ?? []).map((l) => l.id)
}
