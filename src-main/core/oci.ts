// OCI image-spec and Docker schema2 types, media types and digests: the vocabulary of the whole core.
import { invalidArgument } from './errors'

/** `alg:encoded`, e.g. sha256:<64 lower-case hex>. */
export type Digest = string

export interface Platform {
  os: string
  architecture: string
  variant?: string
  osVersion?: string
  osFeatures?: string[]
}

export interface Descriptor {
  mediaType: string
  digest: Digest
  size: number
  urls?: string[]
  annotations?: Record<string, string>
  platform?: Platform
  artifactType?: string
  /** Base64 of the embedded content, as in the OCI descriptor's `data` field. */
  data?: string
}

export interface Index {
  schemaVersion: 2
  mediaType?: string
  artifactType?: string
  manifests: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

export interface Manifest {
  schemaVersion: 2
  mediaType?: string
  artifactType?: string
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

export interface ImageConfig {
  created?: string
  author?: string
  architecture: string
  os: string
  'os.version'?: string
  'os.features'?: string[]
  variant?: string
  config?: {
    User?: string
    ExposedPorts?: Record<string, object>
    Env?: string[]
    Entrypoint?: string[] | null
    Cmd?: string[] | null
    Volumes?: Record<string, object>
    WorkingDir?: string
    Labels?: Record<string, string>
    StopSignal?: string
    [k: string]: unknown
  }
  rootfs: { type: string; diff_ids: Digest[] }
  history?: {
    created?: string
    author?: string
    created_by?: string
    comment?: string
    empty_layer?: boolean
  }[]
}

// OCI media types.
export const MediaTypeOCIIndex = 'application/vnd.oci.image.index.v1+json'
export const MediaTypeOCIManifest = 'application/vnd.oci.image.manifest.v1+json'
export const MediaTypeOCIConfig = 'application/vnd.oci.image.config.v1+json'
export const MediaTypeOCILayer = 'application/vnd.oci.image.layer.v1.tar'
export const MediaTypeOCILayerGzip = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const MediaTypeOCILayerZstd = 'application/vnd.oci.image.layer.v1.tar+zstd'
export const MediaTypeOCILayerNonDistributable = 'application/vnd.oci.image.layer.nondistributable.v1.tar'
export const MediaTypeOCILayerNonDistributableGzip =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
export const MediaTypeOCILayerNonDistributableZstd =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd'
export const MediaTypeOCIEmptyJSON = 'application/vnd.oci.empty.v1+json'
export const MediaTypeOCILayout = 'application/vnd.oci.layout.header.v1+json'

// Docker schema2 media types.
export const MediaTypeDockerManifestList = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const MediaTypeDockerManifest = 'application/vnd.docker.distribution.manifest.v2+json'
export const MediaTypeDockerConfig = 'application/vnd.docker.container.image.v1+json'
export const MediaTypeDockerLayer = 'application/vnd.docker.image.rootfs.diff.tar'
export const MediaTypeDockerLayerGzip = 'application/vnd.docker.image.rootfs.diff.tar.gzip'
export const MediaTypeDockerLayerZstd = 'application/vnd.docker.image.rootfs.diff.tar.zstd'
export const MediaTypeDockerLayerForeign = 'application/vnd.docker.image.rootfs.foreign.diff.tar'
export const MediaTypeDockerLayerForeignGzip = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
/** Schema 1 is recognised only to be refused: containerd v2 dropped it. */
export const MediaTypeDockerSchema1Manifest = 'application/vnd.docker.distribution.manifest.v1+prettyjws'
export const MediaTypeDockerSchema1ManifestUnsigned = 'application/vnd.docker.distribution.manifest.v1+json'

// containerd-specific types.
export const MediaTypeContainerdCheckpoint = 'application/vnd.containerd.container.criu.checkpoint.criu.tar'
export const MediaTypeContainerdCheckpointConfig =
  'application/vnd.containerd.container.checkpoint.config.v1+proto'
export const MediaTypeErofsLayer = 'application/vnd.erofs.layer.v1'
export const MediaTypeInToto = 'application/vnd.in-toto+json'

export const NonDistributablePrefixes = [
  'application/vnd.oci.image.layer.nondistributable.',
  'application/vnd.docker.image.rootfs.foreign.',
] as const

export function isNonDistributable(mediaType: string): boolean {
  return NonDistributablePrefixes.some((p) => mediaType.startsWith(p))
}

/** Image annotations that name an image in an OCI layout's index.json. */
export const AnnotationImageName = 'io.containerd.image.name'
export const AnnotationRefName = 'org.opencontainers.image.ref.name'
export const AnnotationManifestSubject = 'io.containerd.manifest.subject'

export const DIGEST_ALGORITHMS = { sha256: 64, sha384: 96, sha512: 128 } as const
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS

/**
 * Validates a digest string the way go-digest does, with the messages containerd users see.
 * Only sha256/sha384/sha512 with lower-case hex are available.
 */
export function parseDigest(s: string): Digest {
  if (typeof s !== 'string') throw invalidArgument(`invalid digest ${String(s)}: not a string`)
  const i = s.indexOf(':')
  if (i <= 0 || i + 1 >= s.length)
    throw invalidArgument(`invalid digest "${s}": invalid checksum digest format`)
  const alg = s.slice(0, i)
  const enc = s.slice(i + 1)
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(alg)) {
    throw invalidArgument(`invalid digest "${s}": invalid checksum digest format`)
  }
  const len = (DIGEST_ALGORITHMS as Record<string, number>)[alg]
  if (len === undefined) throw invalidArgument(`invalid digest "${s}": unsupported digest algorithm`)
  if (enc.length !== len) throw invalidArgument(`invalid digest "${s}": invalid checksum digest length`)
  if (!/^[a-f0-9]+$/.test(enc)) throw invalidArgument(`invalid digest "${s}": invalid checksum digest format`)
  return s
}

export function isDigest(s: unknown): s is Digest {
  if (typeof s !== 'string') return false
  try {
    parseDigest(s)
    return true
  } catch {
    return false
  }
}

export function digestAlgorithm(d: Digest): DigestAlgorithm {
  return parseDigest(d).slice(0, d.indexOf(':')) as DigestAlgorithm
}

export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1)
}
