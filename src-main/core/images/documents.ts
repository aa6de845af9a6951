// Reading manifests, indexes and configs out of a provider into the typed shapes of oci.ts.
// Decoding follows Go's encoding/json as containerd uses it: keys match case-insensitively, null leaves a
// field at its zero value, unknown keys are ignored, and a value of the wrong JSON type is an error.
import { quoteName } from '../quote'
import type { Provider } from '../content/provider'
import { BerthError, invalidArgument, notImplemented } from '../errors'
import type { Descriptor, Digest, Index, Manifest, Platform } from '../oci'
import {
  checkDocument,
  isIndexType,
  isSchema1Type,
  jsonField,
  MAX_DOCUMENT_SIZE,
  parseJSON,
} from './mediatypes'
import { readBounded } from './read-bounded'

type Obj = Record<string, unknown>

export function schema1Error(desc: Descriptor): BerthError {
  return notImplemented(
    `${desc.mediaType} ${desc.digest}: schema 1 image manifests are no longer supported since containerd v2.0; convert the image to schema 2 or OCI`,
  )
}

/** Reads and validates a manifest or index body; `who` prefixes messages (children, manifest). */
async function readDocument(p: Provider, desc: Descriptor, who: string): Promise<Obj> {
  if (isSchema1Type(desc.mediaType)) throw schema1Error(desc)
  const body = await readBounded(
    p,
    desc,
    MAX_DOCUMENT_SIZE,
    isIndexType(desc.mediaType) ? 'index' : 'manifest',
  )
  let doc: unknown
  try {
    doc = parseJSON(body, `${who}: invalid desc ${desc.digest}`)
    checkDocument(doc, desc.mediaType)
  } catch (e) {
    if (e instanceof BerthError)
      throw new BerthError(e.kind, `${who}: invalid desc ${desc.digest}: ${e.message}`, { cause: e })
    throw e
  }
  return doc === null ? {} : (doc as Obj)
}

export async function readManifest(p: Provider, desc: Descriptor, who: string): Promise<Manifest> {
  return decodeManifest(await readDocument(p, desc, who), desc.digest)
}

export async function readIndex(p: Provider, desc: Descriptor, who: string): Promise<Index> {
  return decodeIndex(await readDocument(p, desc, who), desc.digest)
}

export function decodeManifest(obj: Obj, where: Digest): Manifest {
  const m: Manifest = {
    schemaVersion: optInt(obj, 'schemaVersion', where) as 2,
    config: decodeDescriptor(field(obj, 'config'), `${where} config`),
    layers: arrayOf(obj, 'layers', where).map((d, i) => decodeDescriptor(d, `${where} layers[${i}]`)),
  }
  copyCommon(obj, m, where)
  return m
}

export function decodeIndex(obj: Obj, where: Digest): Index {
  const idx: Index = {
    schemaVersion: optInt(obj, 'schemaVersion', where) as 2,
    manifests: arrayOf(obj, 'manifests', where).map((d, i) =>
      decodeDescriptor(d, `${where} manifests[${i}]`),
    ),
  }
  copyCommon(obj, idx, where)
  return idx
}

function copyCommon(obj: Obj, into: Manifest | Index, where: string): void {
  const mediaType = optString(obj, 'mediaType', where)
  if (mediaType) into.mediaType = mediaType
  const artifactType = optString(obj, 'artifactType', where)
  if (artifactType) into.artifactType = artifactType
  const subject = field(obj, 'subject')
  if (subject !== undefined) into.subject = decodeDescriptor(subject, `${where} subject`)
  const annotations = optStringMap(obj, 'annotations', where)
  if (annotations) into.annotations = annotations
}

/** A descriptor as Go would decode it; a missing descriptor is Go's zero value. */
export function decodeDescriptor(v: unknown, where: string): Descriptor {
  if (v === undefined) return { mediaType: '', digest: '', size: 0 }
  const obj = asObject(v, where)
  const d: Descriptor = {
    mediaType: optString(obj, 'mediaType', where),
    digest: optString(obj, 'digest', where),
    size: optInt(obj, 'size', where),
  }
  const urls = field(obj, 'urls')
  if (urls !== undefined) {
    if (!Array.isArray(urls) || urls.some((u) => u !== null && typeof u !== 'string')) {
      throw invalidArgument(`invalid descriptor ${where}: urls must be a list of strings`)
    }
    d.urls = urls.map((u) => (u === null ? '' : (u as string)))
  }
  const annotations = optStringMap(obj, 'annotations', where)
  if (annotations) d.annotations = annotations
  const platform = field(obj, 'platform')
  if (platform !== undefined) d.platform = decodePlatform(asObject(platform, `${where} platform`), where)
  const artifactType = optString(obj, 'artifactType', where)
  if (artifactType) d.artifactType = artifactType
  const data = optString(obj, 'data', where)
  if (data) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
      throw invalidArgument(`invalid descriptor ${where}: data is not standard base64`)
    }
    d.data = data
  }
  return d
}

/** The platform fields of a descriptor's platform object, or of an image config (the same JSON names). */
export function decodePlatform(obj: Obj, where: string): Platform {
  const p: Platform = {
    os: optString(obj, 'os', where),
    architecture: optString(obj, 'architecture', where),
  }
  const variant = optString(obj, 'variant', where)
  if (variant) p.variant = variant
  const osVersion = optString(obj, 'os.version', where)
  if (osVersion) p.osVersion = osVersion
  const feats = field(obj, 'os.features')
  if (feats !== undefined) {
    if (!Array.isArray(feats) || feats.some((f) => f !== null && typeof f !== 'string')) {
      throw invalidArgument(`invalid platform in ${where}: os.features must be a list of strings`)
    }
    if (feats.length > 0) p.osFeatures = feats.map((f) => (f === null ? '' : (f as string)))
  }
  return p
}

/** The config's top-level platform fields, as written (the caller normalizes). */
export async function readConfigPlatform(p: Provider, config: Descriptor): Promise<Platform> {
  const obj = readObject(await readBounded(p, config, MAX_DOCUMENT_SIZE, 'config'), `config ${config.digest}`)
  return decodePlatform(obj, `config ${config.digest}`)
}

/** The config's rootfs.diff_ids in order. */
export async function readDiffIDs(p: Provider, config: Descriptor): Promise<Digest[]> {
  const where = `config ${config.digest}`
  const obj = readObject(await readBounded(p, config, MAX_DOCUMENT_SIZE, 'config'), where)
  const rootfs = field(obj, 'rootfs')
  if (rootfs === undefined) return []
  const ids = field(asObject(rootfs, `${where} rootfs`), 'diff_ids')
  if (ids === undefined) return []
  if (!Array.isArray(ids) || ids.some((d) => d !== null && typeof d !== 'string')) {
    throw invalidArgument(`${where}: rootfs.diff_ids must be a list of digests`)
  }
  return ids.map((d) => (d === null ? '' : (d as string)))
}

function readObject(body: Uint8Array, where: string): Obj {
  const doc = parseJSON(body, where)
  return doc === null ? {} : asObject(doc, where)
}

/** A field's value, with JSON null read as absent. */
function field(obj: Obj, name: string): unknown {
  const v = jsonField(obj, name).value
  return v === null ? undefined : v
}

function asObject(v: unknown, where: string): Obj {
  if (v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(`${where}: expected a JSON object`)
  return v as Obj
}

function arrayOf(obj: Obj, name: string, where: string): unknown[] {
  const v = field(obj, name)
  if (v === undefined) return []
  if (!Array.isArray(v)) throw invalidArgument(`${where}: ${name} must be a list`)
  return v
}

function optString(obj: Obj, name: string, where: string): string {
  const v = field(obj, name)
  if (v === undefined) return ''
  if (typeof v !== 'string') throw invalidArgument(`${where}: ${name} must be a string`)
  return v
}

function optInt(obj: Obj, name: string, where: string): number {
  const v = field(obj, name)
  if (v === undefined) return 0
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw invalidArgument(`${where}: ${name} must be an integer`)
  return v
}

function optStringMap(obj: Obj, name: string, where: string): Record<string, string> | undefined {
  const v = field(obj, name)
  if (v === undefined) return undefined
  const m = asObject(v, `${where} ${name}`)
  const out: [string, string][] = []
  for (const [k, val] of Object.entries(m)) {
    if (val !== null && typeof val !== 'string')
      throw invalidArgument(`${where}: ${name}.${quoteName(k)} must be a string`)
    out.push([k, val === null ? '' : val])
  }
  // An annotation called "__proto__" stays an own key (assignment would set the prototype instead).
  return Object.fromEntries(out)
}
