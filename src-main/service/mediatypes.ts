// How the app names what a descriptor is. Kept to the app's vocabulary (index, manifest, config, layer,
// attestation, other); the walker's own predicates decide what the core walks.
import { isAttestationDescriptor, isIndexType, isManifestType } from '../core/images/mediatypes'
import * as oci from '../core/oci'
import type { Descriptor } from '../core/oci'
import type { NodeKind } from '../../src-preload/api'

const CONFIG = new Set([
  oci.MediaTypeOCIConfig,
  oci.MediaTypeDockerConfig,
  oci.MediaTypeContainerdCheckpointConfig,
])

// Indexes and manifests are the same set for the app and the walker.
export const isIndex = isIndexType
export const isManifest = isManifestType
export const isConfig = (mt: string): boolean => CONFIG.has(mt)
export const isLayer = (mt: string): boolean =>
  mt.startsWith('application/vnd.oci.image.layer.') ||
  mt.startsWith('application/vnd.docker.image.rootfs.') ||
  mt === oci.MediaTypeContainerdCheckpoint ||
  mt === oci.MediaTypeErofsLayer

export { ATTESTATION_TYPE, ATTESTATION_REF, isAttestationDescriptor } from '../core/images/mediatypes'

export function kindOf(d: Descriptor): NodeKind {
  const mt = d.mediaType
  if (isIndex(mt)) return 'index'
  if (isManifest(mt)) return isAttestationDescriptor(d) ? 'attestation' : 'manifest'
  if (isConfig(mt)) return 'config'
  if (isLayer(mt)) return 'layer'
  return 'other'
}
