// containerd's Images service, in the image store's own terms (core/images/store.ts Image): Get,
// List(filters), Create, Update(fieldpaths), Delete(sync). The daemon applies containerd's rules itself;
// Berth only converts.
import { invalidArgument } from '../errors'
import type { Image } from '../images/store'
import type { Descriptor } from '../oci'
import {
  fromDate,
  sizeOf,
  toDate,
  type CallOptions,
  type ContainerdConnection,
  type Timestamp,
} from './client'
import { SERVICES } from './proto'
import { decodeImageHeads, decodeImageList, encodeStrings, type ImageHead } from './wire'

export interface WireDescriptor {
  mediaType: string
  digest: string
  size: string | number
  annotations: Record<string, string>
}

interface WireImage {
  name: string
  labels: Record<string, string>
  target: WireDescriptor | null
  createdAt: Timestamp | null
  updatedAt: Timestamp | null
}

export function toDescriptor(d: WireDescriptor | null, what: string): Descriptor {
  const out: Descriptor = {
    mediaType: d?.mediaType ?? '',
    digest: d?.digest ?? '',
    size: sizeOf(d?.size, what),
  }
  if (d?.annotations && Object.keys(d.annotations).length > 0) out.annotations = { ...d.annotations }
  return out
}

export function fromDescriptor(d: Descriptor): WireDescriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: String(d.size), annotations: d.annotations ?? {} }
}

function toImage(w: WireImage): Image {
  return {
    name: w.name,
    labels: { ...(w.labels ?? {}) },
    target: toDescriptor(w.target, `image ${w.name}`),
    createdAt: toDate(w.createdAt),
    updatedAt: toDate(w.updatedAt),
  }
}

function wire(img: Omit<Image, 'createdAt' | 'updatedAt'> & Partial<Pick<Image, 'createdAt'>>): WireImage {
  return {
    name: img.name,
    labels: img.labels ?? {},
    target: fromDescriptor(img.target),
    createdAt: img.createdAt ? fromDate(img.createdAt) : null,
    updatedAt: null,
  }
}

export async function getImage(
  c: ContainerdConnection,
  ns: string,
  name: string,
  o?: CallOptions,
): Promise<Image> {
  const r = await c.unary<{ image: WireImage | null }>(
    'images',
    'Get',
    ns,
    { name },
    `getting image ${name}`,
    o,
  )
  if (!r.image) throw invalidArgument(`containerd answered no image for ${name}`)
  return toImage(r.image)
}

/** containerd's filters, ORed; none lists every image of the namespace (in the daemon's name order). */
export function listImages(
  c: ContainerdConnection,
  ns: string,
  filters: string[] = [],
  o?: CallOptions,
): Promise<Image[]> {
  return list(c, ns, filters, decodeImageList, o)
}

/** listImages read only as far as a sync compares records (wire.ts ImageHead). */
export function listImageHeads(
  c: ContainerdConnection,
  ns: string,
  filters: string[] = [],
  o?: CallOptions,
): Promise<ImageHead[]> {
  return list(c, ns, filters, decodeImageHeads, o)
}

// The one big answer: read straight from its bytes (wire.ts), not through proto-loader's objects.
function list<T>(
  c: ContainerdConnection,
  ns: string,
  filters: string[],
  decode: (b: Buffer) => T[],
  o?: CallOptions,
): Promise<T[]> {
  return c.unaryBytes(`/${SERVICES.images}/List`, ns, encodeStrings(1, filters), decode, 'listing images', o)
}

export async function createImage(
  c: ContainerdConnection,
  ns: string,
  img: Omit<Image, 'createdAt' | 'updatedAt'>,
  o?: CallOptions,
): Promise<Image> {
  const r = await c.unary<{ image: WireImage }>(
    'images',
    'Create',
    ns,
    { image: wire(img) },
    `creating image ${img.name}`,
    o,
  )
  return toImage(r.image)
}

/** Fieldpaths as containerd takes them: `labels`, `labels.KEY`, `target`, `annotations…`; none = all. */
export async function updateImage(
  c: ContainerdConnection,
  ns: string,
  img: Omit<Image, 'createdAt' | 'updatedAt'>,
  fieldpaths: string[] = [],
  o?: CallOptions,
): Promise<Image> {
  const r = await c.unary<{ image: WireImage }>(
    'images',
    'Update',
    ns,
    { image: wire(img), updateMask: fieldpaths.length ? { paths: fieldpaths } : null },
    `updating image ${img.name}`,
    o,
  )
  return toImage(r.image)
}

/** sync: containerd collects garbage before answering, so the bytes are gone when this returns. */
export async function deleteImage(
  c: ContainerdConnection,
  ns: string,
  name: string,
  opts: { sync?: boolean } & CallOptions = {},
): Promise<void> {
  await c.unary('images', 'Delete', ns, { name, sync: opts.sync ?? false }, `deleting image ${name}`, {
    ...opts,
    // A synchronous delete waits for the daemon's garbage collection.
    timeoutMs: opts.timeoutMs ?? (opts.sync ? 600_000 : undefined),
  })
}
