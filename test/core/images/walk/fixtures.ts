// Generated image content for the walker tests: an in-memory Provider and builders for configs, manifests,
// indexes and (compressed) layers. Nothing binary is committed; every blob is made here.
import { randomBytes } from 'node:crypto'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import type { Provider } from '../../../../src-main/core/content/provider'
import { digestOf } from '../../../../src-main/core/digest'
import { notFound } from '../../../../src-main/core/errors'
import {
  MediaTypeOCIConfig,
  MediaTypeOCIIndex,
  MediaTypeOCILayer,
  MediaTypeOCILayerGzip,
  MediaTypeOCILayerZstd,
  MediaTypeOCIManifest,
  type Descriptor,
  type Digest,
  type Platform,
} from '../../../../src-main/core/oci'

export class MemProvider implements Provider {
  readonly blobs = new Map<Digest, Uint8Array>()
  readonly reads: Digest[] = []

  async readBlob(desc: Descriptor): Promise<Uint8Array> {
    this.reads.push(desc.digest)
    const b = this.blobs.get(desc.digest)
    if (!b) throw notFound(`content digest ${desc.digest}: not found`)
    return b
  }

  async has(desc: Descriptor): Promise<boolean> {
    return this.blobs.has(desc.digest)
  }

  /** Stores bytes under their digest and describes them. */
  put(data: Uint8Array | string, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    const digest = digestOf(bytes)
    this.blobs.set(digest, bytes)
    return { mediaType, digest, size: bytes.length, ...extra }
  }

  /** Stores bytes under a chosen digest: only for content that cannot exist honestly (cycles). */
  putAt(digest: Digest, data: string): void {
    this.blobs.set(digest, new TextEncoder().encode(data))
  }

  delete(desc: Descriptor): void {
    this.blobs.delete(desc.digest)
  }
}

export const json = (v: unknown): string => JSON.stringify(v)

export interface ConfigSpec {
  os?: string
  architecture?: string
  variant?: string
  'os.version'?: string
  diffIDs?: Digest[]
}

export function makeConfig(
  p: MemProvider,
  spec: ConfigSpec = {},
  mediaType = MediaTypeOCIConfig,
): Descriptor {
  const { diffIDs = [], ...plat } = spec
  const body = { architecture: 'amd64', os: 'linux', ...plat, rootfs: { type: 'layers', diff_ids: diffIDs } }
  return p.put(json(body), mediaType)
}

export function makeLayer(p: MemProvider, size = 64, mediaType = MediaTypeOCILayer): Descriptor {
  return p.put(randomBytes(size), mediaType)
}

export interface Layer {
  desc: Descriptor
  diffID: Digest
}

export function makeCompressedLayer(
  p: MemProvider,
  raw: Uint8Array,
  kind: 'gzip' | 'zstd',
  mediaType?: string,
): Layer {
  const packed = kind === 'gzip' ? gzipSync(raw) : zstdCompressSync(raw)
  const mt = mediaType ?? (kind === 'gzip' ? MediaTypeOCILayerGzip : MediaTypeOCILayerZstd)
  return { desc: p.put(packed, mt), diffID: digestOf(raw) }
}

export interface ManifestOpts {
  mediaType?: string
  platform?: Platform
  annotations?: Record<string, string>
  /** Extra top-level fields written into the body. */
  body?: Record<string, unknown>
}

const strip = (d: Descriptor): Descriptor => {
  const { platform, ...rest } = d
  if (!platform) return rest
  const { osVersion, osFeatures, ...p } = platform
  return {
    ...rest,
    platform: {
      ...p,
      ...(osVersion ? { 'os.version': osVersion } : {}),
      ...(osFeatures ? { 'os.features': osFeatures } : {}),
    } as unknown as Platform,
  }
}

export function makeManifest(
  p: MemProvider,
  config: Descriptor,
  layers: Descriptor[],
  opts: ManifestOpts = {},
): Descriptor {
  const mediaType = opts.mediaType ?? MediaTypeOCIManifest
  const body = { schemaVersion: 2, mediaType, config, layers, ...opts.body }
  const extra: Partial<Descriptor> = {}
  if (opts.platform) extra.platform = opts.platform
  if (opts.annotations) extra.annotations = opts.annotations
  return p.put(json(body), mediaType, extra)
}

export function makeIndex(p: MemProvider, manifests: Descriptor[], opts: ManifestOpts = {}): Descriptor {
  const mediaType = opts.mediaType ?? MediaTypeOCIIndex
  const body = { schemaVersion: 2, mediaType, manifests: manifests.map(strip), ...opts.body }
  const extra: Partial<Descriptor> = {}
  if (opts.platform) extra.platform = opts.platform
  return p.put(json(body), mediaType, extra)
}

/** A one-layer image for `platform`; the returned descriptor carries the platform for use in an index. */
export function makeImage(
  p: MemProvider,
  platform: Platform,
  opts: { withPlatform?: boolean; layerSize?: number } = {},
): {
  manifest: Descriptor
  config: Descriptor
  layers: Descriptor[]
} {
  const layer = makeLayer(p, opts.layerSize ?? 32)
  const config = makeConfig(p, {
    os: platform.os,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    diffIDs: [layer.digest],
  })
  const m = makeManifest(p, config, [layer])
  const manifest = opts.withPlatform === false ? m : { ...m, platform }
  return { manifest, config, layers: [layer] }
}

export const plat = (os: string, architecture: string, variant?: string): Platform =>
  variant ? { os, architecture, variant } : { os, architecture }
