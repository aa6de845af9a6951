// The chain ID of a stack of layers (containerd's identity.ChainID, the image spec's "ChainID"): the
// first layer's diff ID, then sha256("<parent chain ID> <diff ID>") for each layer above. Two images
// whose layers are the same diff IDs in the same order have the same filesystem, so one stacked tree
// serves both.
import { createHash } from 'node:crypto'
import type { Digest } from '../oci'

export function chainId(diffIds: readonly Digest[]): Digest {
  if (diffIds.length === 0) throw new Error('chainId: no layers')
  let id = diffIds[0]
  for (const d of diffIds.slice(1)) id = `sha256:${createHash('sha256').update(`${id} ${d}`).digest('hex')}`
  return id
}
