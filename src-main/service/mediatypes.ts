// How the app names what a descriptor is, in the app's words (index, manifest, config, layer,
// attestation, other), decided by the core's predicates: what the app calls a config or a layer is what
// the walker and GC's labels (containerd's ChildGCLabels) treat as one.
import {
  isAttestationDescriptor,
  isIndexType,
  isKnownConfig,
  isLayerType,
  isManifestType,
} from '../core/images/mediatypes'
import type { Descriptor } from '../core/oci'
import type { NodeKind } from '../../src-preload/api'

export const isIndex = isIndexType
export const isManifest = isManifestType
/** Image configs and containerd's checkpoint blobs, as containerd's IsKnownConfig. */
export const isConfig = isKnownConfig
export const isLayer = isLayerType

export { ATTESTATION_TYPE, ATTESTATION_REF, isAttestationDescriptor } from '../core/images/mediatypes'

export function kindOf(d: Descriptor): NodeKind {
  const mt = d.mediaType
  if (isIndex(mt)) return 'index'
  if (isManifest(mt)) return isAttestationDescriptor(d) ? 'attestation' : 'manifest'
  if (isConfig(mt)) return 'config'
  if (isLayer(mt)) return 'layer'
  return 'other'
}
