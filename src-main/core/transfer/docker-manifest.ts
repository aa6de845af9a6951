// The `manifest.json` that lets `docker load` (and podman) read an OCI archive: one entry per exported
// platform manifest whose config and layers are all in the archive, with the image's names as RepoTags
// on the manifest that best fits each name's platform choice. Attestations and other artifacts are left
// out: docker cannot load them.
import type { Provider } from '../content/provider'
import { readManifest } from '../images/documents'
import { isConfigType, isLayerType, isManifestType } from '../images/mediatypes'
import type { Descriptor } from '../oci'
import { formatReference, parseReference } from './registry/reference'

export interface DockerEntry {
  Config: string
  RepoTags: string[]
  Layers: string[]
}

export const blobFile = (d: string): string => `blobs/${d.replace(':', '/')}`

export interface ManifestChoice {
  /** A platform manifest in the archive, in export order. */
  manifest: Descriptor
  /** Image names for which this is the best manifest. */
  names: string[]
}

/** Null when no manifest qualifies (then no manifest.json is written). */
export async function dockerManifestFile(
  p: Provider,
  choices: ManifestChoice[],
  inArchive: (digest: string) => boolean,
): Promise<DockerEntry[] | null> {
  const out: DockerEntry[] = []
  for (const c of choices) {
    if (!isManifestType(c.manifest.mediaType) || !inArchive(c.manifest.digest)) continue
    const m = await readManifest(p, c.manifest, 'export')
    if (!isConfigType(m.config.mediaType) || !inArchive(m.config.digest)) continue
    if (!m.layers.every((l) => isLayerType(l.mediaType) && inArchive(l.digest))) continue
    const tags: string[] = []
    for (const n of c.names) {
      try {
        // Fully qualified, unlike `docker save`: docker and containerd read both forms alike, but podman
        // reads a short name such as `app:1` as localhost/app:1, not docker.io/library/app:1.
        tags.push(formatReference(parseReference(n)))
      } catch {
        // A name docker cannot spell (not a reference) is simply not a RepoTag.
      }
    }
    out.push({
      Config: blobFile(m.config.digest),
      RepoTags: tags,
      Layers: m.layers.map((l) => blobFile(l.digest)),
    })
  }
  return out.length > 0 ? out : null
}
