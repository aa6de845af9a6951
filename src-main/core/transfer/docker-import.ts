// A `docker save` archive, once its files are in the store: manifest.json names a config and layer
// files per image; each becomes a Docker schema 2 manifest (layers typed by their bytes, uncompressed
// ones as rootfs.diff.tar, so their digests are the config's diff IDs), and all of them one OCI index
// whose entries carry the normalized RepoTags, as containerd's ImportIndex writes it.
import { posix } from 'node:path'
import { invalidArgument, notFound } from '../errors'
import { platforms as imagePlatforms } from '../images/image'
import type { Descriptor, Platform } from '../oci'
import {
  AnnotationImageName,
  AnnotationRefName,
  MediaTypeDockerConfig,
  MediaTypeDockerLayer,
  MediaTypeDockerLayerGzip,
  MediaTypeDockerLayerZstd,
  MediaTypeDockerManifest,
  MediaTypeOCIIndex,
} from '../oci'
import { digestOf } from '../digest'
import type { Provider } from '../content/provider'
import { MAX_DOCUMENT_SIZE } from '../images/mediatypes'
import type { ArchiveContents, StoredFile } from './collect'
import { quoteName } from '../quote'
import { safeEntryPath } from './archive'
import { normalizeDockerRef, ociReferenceName, referenceProblem } from './names'
import { parseArchiveJSON } from './oci-import'

interface SaveManifest {
  Config: string
  RepoTags: string[]
  Layers: string[]
}

function decodeSaveManifest(data: Buffer): SaveManifest[] {
  const doc = parseArchiveJSON(data, 'manifest.json')
  if (!Array.isArray(doc)) throw invalidArgument('manifest.json in the archive is not a JSON list of images')
  return doc.map((m, i) => {
    const where = `manifest.json entry ${i}`
    if (typeof m !== 'object' || m === null) throw invalidArgument(`${where} is not an object`)
    const { Config, RepoTags, Layers } = m as Record<string, unknown>
    if (typeof Config !== 'string' || Config === '') throw invalidArgument(`${where} has no Config file`)
    if (
      RepoTags !== undefined &&
      RepoTags !== null &&
      (!Array.isArray(RepoTags) || RepoTags.some((t) => typeof t !== 'string'))
    ) {
      throw invalidArgument(`${where}: RepoTags must be a list of names`)
    }
    if (!Array.isArray(Layers) || Layers.some((l) => typeof l !== 'string')) {
      throw invalidArgument(`${where}: Layers must be a list of file names`)
    }
    return { Config, RepoTags: (RepoTags as string[] | null) ?? [], Layers: Layers as string[] }
  })
}

/** A file named by manifest.json, following a symbolic link inside the archive (older `docker save` shares layers so). */
function lookup(contents: ArchiveContents, name: string, what: string): StoredFile {
  let path = safeEntryPath(name)
  for (let hops = 0; hops < 8; hops++) {
    const f = contents.files.get(path)
    if (f) return f
    const link = contents.links.get(path)
    if (!link) break
    if (link.kind === 'hardlink') {
      throw invalidArgument(
        `archive entry ${quoteName(path)} is a hard link (to ${quoteName(link.target)}): links are not allowed in an image archive`,
      )
    }
    const joined = posix.normalize(posix.join(posix.dirname(path), link.target))
    if (link.target.startsWith('/') || joined.startsWith('..')) {
      throw invalidArgument(
        `archive entry ${quoteName(path)} is a symbolic link leaving the archive (to ${quoteName(link.target)})`,
      )
    }
    path = joined
  }
  throw notFound(`manifest.json names ${what} ${quoteName(name)}, which is not in the archive`)
}

function layerMediaType(f: StoredFile): string {
  if (f.compression === 'gzip') return MediaTypeDockerLayerGzip
  if (f.compression === 'zstd') return MediaTypeDockerLayerZstd
  return MediaTypeDockerLayer
}

/** Go's json.Marshal of an ocispec.Descriptor: field order mediaType, digest, size, annotations, platform. */
function descriptorJSON(d: Descriptor): Record<string, unknown> {
  const o: Record<string, unknown> = { mediaType: d.mediaType, digest: d.digest, size: d.size }
  if (d.annotations) o.annotations = d.annotations
  if (d.platform) o.platform = platformJSON(d.platform)
  return o
}

function platformJSON(p: Platform): Record<string, unknown> {
  const o: Record<string, unknown> = { architecture: p.architecture, os: p.os }
  if (p.osVersion) o['os.version'] = p.osVersion
  if (p.osFeatures?.length) o['os.features'] = p.osFeatures
  if (p.variant) o.variant = p.variant
  return o
}

export async function dockerSaveIndex(
  contents: ArchiveContents,
  provider: Provider,
): Promise<{ index: Descriptor; entries: Descriptor[] }> {
  const saved = decodeSaveManifest(contents.meta.get('manifest.json')!)
  const entries: Descriptor[] = []
  for (const m of saved) {
    const cfg = lookup(contents, m.Config, 'config')
    if (cfg.size > MAX_DOCUMENT_SIZE) {
      throw invalidArgument(
        `manifest.json names config ${quoteName(m.Config)} of ${cfg.size} bytes, over the ${MAX_DOCUMENT_SIZE}-byte limit for an image config`,
      )
    }
    const config: Descriptor = { mediaType: MediaTypeDockerConfig, digest: cfg.digest, size: cfg.size }
    // The platform is read from the config now; the layers reach the store when the walk visits them.
    await contents.materialize(config.digest, config.mediaType)
    const layers = m.Layers.map((l) => {
      const f = lookup(contents, l, 'layer')
      return { mediaType: layerMediaType(f), digest: f.digest, size: f.size }
    })
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypeDockerManifest,
        config: descriptorJSON(config),
        layers: layers.map(descriptorJSON),
      }),
    )
    const desc: Descriptor = { mediaType: MediaTypeDockerManifest, digest: digestOf(body), size: body.length }
    await contents.storeDocument(body, desc)
    const ps = await imagePlatforms(provider, desc)
    if (ps.length > 0) desc.platform = ps[0]
    if (m.RepoTags.length === 0) {
      entries.push(desc)
      continue
    }
    for (const tag of m.RepoTags) {
      let name: string
      try {
        name = normalizeDockerRef(tag)
      } catch (e) {
        throw invalidArgument(`manifest.json names image ${quoteName(tag)}: ${referenceProblem(e, tag)}`)
      }
      entries.push({
        ...desc,
        annotations: { [AnnotationImageName]: name, [AnnotationRefName]: ociReferenceName(name) },
      })
    }
  }
  const data = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: entries.map(descriptorJSON) }))
  const index: Descriptor = { mediaType: MediaTypeOCIIndex, digest: digestOf(data), size: data.length }
  await contents.storeDocument(data, index)
  return { index, entries }
}
