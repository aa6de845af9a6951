// An OCI image layout, once its blobs are in the store: check oci-layout, parse index.json, and store
// index.json itself as a blob so the walk (and --index-name) can start from it, as containerd does.
import { invalidArgument, notFound } from '../errors'
import { checkDocument, parseJSON } from '../images/mediatypes'
import { decodeIndex } from '../images/documents'
import { MediaTypeOCIIndex, type Descriptor, type Index } from '../oci'
import { digestOf } from '../digest'
import type { ArchiveContents } from './collect'
import { escapeControls, quoteName } from '../quote'

export const IMAGE_LAYOUT_VERSION = '1.0.0'

export function parseArchiveJSON(data: Buffer, file: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'))
  } catch (e) {
    throw invalidArgument(`${file} in the archive is not valid JSON: ${escapeControls((e as Error).message)}`)
  }
}

/** The links an OCI layout may not have: any at all. */
export function refuseLinks(contents: ArchiveContents): void {
  for (const [path, l] of contents.links) {
    throw invalidArgument(
      `archive entry ${quoteName(path)} is a ${l.kind === 'hardlink' ? 'hard link' : 'symbolic link'} (to ${quoteName(l.target)}): links are not allowed in an image archive`,
    )
  }
}

export function checkLayoutFile(contents: ArchiveContents): void {
  const raw = contents.meta.get('oci-layout')
  if (!raw) return
  const layout = parseArchiveJSON(raw, 'oci-layout')
  const version = (layout as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion
  if (typeof layout !== 'object' || layout === null || typeof version !== 'string') {
    throw invalidArgument('oci-layout in the archive has no imageLayoutVersion')
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw invalidArgument(
      `unsupported OCI layout version ${quoteName(version)} (Berth reads ${IMAGE_LAYOUT_VERSION})`,
    )
  }
}

/** Validates index.json as an OCI index and decodes it. */
export function decodeIndexFile(data: Buffer, file = 'index.json'): Index {
  const doc = parseJSON(data, `${file} in the archive`)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalidArgument(`${file} in the archive is not a JSON object`)
  }
  checkDocument(doc, MediaTypeOCIIndex)
  const index = decodeIndex(doc as Record<string, unknown>, file)
  checkIndexVersion(index, `${file} in the archive`)
  return index
}

/** The image spec fixes an index's schemaVersion at 2; anything else is not an OCI index Berth can read. */
export function checkIndexVersion(index: Index, where: string): void {
  if (index.schemaVersion !== 2) {
    throw invalidArgument(
      `${where} has schemaVersion ${index.schemaVersion}: an OCI image index must have schemaVersion 2`,
    )
  }
}

export async function ociLayoutIndex(
  contents: ArchiveContents,
): Promise<{ index: Descriptor; entries: Descriptor[] }> {
  refuseLinks(contents)
  checkLayoutFile(contents)
  const data = contents.meta.get('index.json')
  if (!data) throw notFound(`missing index.json in the OCI layout`)
  const parsed = decodeIndexFile(data)
  const index: Descriptor = { mediaType: MediaTypeOCIIndex, digest: digestOf(data), size: data.length }
  await contents.storeDocument(data, index)
  return { index, entries: parsed.manifests }
}
