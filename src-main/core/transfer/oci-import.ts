// An OCI image layout, once its blobs are in the store: check oci-layout, parse index.json, and store
// index.json itself as a blob so the walk (and --index-name) can start from it, as containerd does.
import { writeBlob } from '../content/store'
import { invalidArgument, notFound } from '../errors'
import { checkDocument, parseJSON } from '../images/mediatypes'
import { decodeIndex } from '../images/documents'
import { MediaTypeOCIIndex, type Descriptor, type Index } from '../oci'
import { digestOf } from '../digest'
import type { ArchiveContents, ImportStore } from './collect'

export const IMAGE_LAYOUT_VERSION = '1.0.0'

export function parseArchiveJSON(data: Buffer, file: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'))
  } catch (e) {
    throw invalidArgument(`${file} in the archive is not valid JSON: ${(e as Error).message}`)
  }
}

/** The links an OCI layout may not have: any at all. */
export function refuseLinks(contents: ArchiveContents): void {
  for (const [path, l] of contents.links) {
    throw invalidArgument(
      `archive entry ${path} is a ${l.kind === 'hardlink' ? 'hard link' : 'symbolic link'} (to ${l.target}): links are not allowed in an image archive`,
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
    throw invalidArgument(`unsupported OCI layout version ${version} (Berth reads ${IMAGE_LAYOUT_VERSION})`)
  }
}

/** Validates index.json as an OCI index and decodes it. */
export function decodeIndexFile(data: Buffer, file = 'index.json'): Index {
  const doc = parseJSON(data, `${file} in the archive`)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalidArgument(`${file} in the archive is not a JSON object`)
  }
  checkDocument(doc, MediaTypeOCIIndex)
  return decodeIndex(doc as Record<string, unknown>, file)
}

export async function ociLayoutIndex(
  contents: ArchiveContents,
  cs: ImportStore,
  ns: string,
  lease: string,
): Promise<{ index: Descriptor; entries: Descriptor[] }> {
  refuseLinks(contents)
  checkLayoutFile(contents)
  const data = contents.meta.get('index.json')
  if (!data) throw notFound(`missing index.json in the OCI layout`)
  const parsed = decodeIndexFile(data)
  const index: Descriptor = { mediaType: MediaTypeOCIIndex, digest: digestOf(data), size: data.length }
  await storeMetadata(cs, ns, lease, contents, data, index)
  return { index, entries: parsed.manifests }
}

/** Stores a document the import generated or buffered, remembering it for rollback. */
export async function storeMetadata(
  cs: ImportStore,
  ns: string,
  lease: string,
  contents: ArchiveContents,
  data: Uint8Array,
  desc: Descriptor,
): Promise<void> {
  const existed = (await contents.blobSize(desc.digest)) !== undefined
  await writeBlob(cs as Parameters<typeof writeBlob>[0], ns, `import-${lease}-${desc.digest}`, data, desc, {
    lease,
  })
  if (!existed) contents.added.add(desc.digest)
}
