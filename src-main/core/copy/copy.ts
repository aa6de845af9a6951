// Copying an image from one place to another as containerd's pull does it, with a store instead of a
// registry at the far end: walk the image from its target (all platforms, or some), write each blob the
// target does not hold, give every parent the gc.ref labels of the children copied with it, all under a
// lease on the target; the image record is written last. A copy that fails or is cancelled therefore
// leaves the target's images as they were, and what it wrote is held by nothing but an expiring lease.
//
// The two ends are small interfaces (ends.ts has Berth's store and a containerd daemon), so the same
// walk copies Berth → containerd, containerd → Berth, and daemon to daemon.
import type { Provider } from '../content/provider'
import {
  childrenHandler,
  dispatch,
  filterPlatforms,
  handlers,
  setChildrenLabels,
  type Handler,
  type LabelStore,
} from '../images/handlers'
import type { Image, ImageInput } from '../images/store'
import type { Descriptor, Platform } from '../oci'
import { any } from '../platforms'

export interface CopySource {
  /** How messages name it: "Berth's store", "containerd at /run/containerd/containerd.sock". */
  name: string
  namespace: string
  /** Documents (indexes, manifests) are read whole through it to find children. */
  provider: Provider
  /** A blob's bytes from `offset` on, streamed. */
  read(desc: Descriptor, offset: number, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>
  image(name: string): Promise<Image>
}

export interface PutOptions {
  lease: string
  signal: AbortSignal
  /** Bytes the target holds so far. */
  onProgress(offset: number): void
}

export interface CopyTarget extends LabelStore {
  name: string
  namespace: string
  /** Runs fn under a fresh lease on the target, and ends the lease afterwards, whatever happened. */
  withLease<T>(fn: (lease: string) => Promise<T>): Promise<T>
  /** Writes the blob unless the target holds it already; the lease holds it either way. */
  put(
    desc: Descriptor,
    bytes: (offset: number) => Promise<AsyncIterable<Uint8Array>>,
    o: PutOptions,
  ): Promise<'written' | 'exists'>
  /** Creates the image record, or points an existing one at the new target (keeping its other labels). */
  saveImage(img: ImageInput): Promise<Image>
}

export type CopyBlobState = 'waiting' | 'uploading' | 'exists' | 'done'

export interface CopyBlob {
  digest: string
  mediaType: string
  size: number
  offset: number
  state: CopyBlobState
}

export interface CopyProgress {
  /** Every blob met so far, in the order first met. */
  blobs: CopyBlob[]
  /** Bytes the target holds of them, and their total. */
  done: number
  total: number
}

export interface CopyOptions {
  /** Only these platforms' manifests and what they reference; absent or empty: everything. */
  platforms?: Platform[]
  /** Name of the image at the target (default: the same name). */
  targetName?: string
  /** Blobs in flight at once. */
  concurrency?: number
  signal?: AbortSignal
  onProgress?: (p: CopyProgress) => void
}

export interface CopyResult {
  image: Image
  /** Blobs written, and blobs the target already held (sent no bytes). */
  written: number
  skipped: number
  bytesWritten: number
  bytesSkipped: number
}

export async function copyImage(
  from: CopySource,
  to: CopyTarget,
  name: string,
  opts: CopyOptions = {},
): Promise<CopyResult> {
  const user = opts.signal ?? new AbortController().signal
  user.throwIfAborted()
  const img = await from.image(name)
  const m = opts.platforms?.length ? any(...opts.platforms) : undefined
  const blobs = new Map<string, CopyBlob>()
  const result = { written: 0, skipped: 0, bytesWritten: 0, bytesSkipped: 0 }
  const report = () => {
    if (!opts.onProgress) return
    let done = 0
    let total = 0
    for (const b of blobs.values()) {
      done += b.offset
      total += b.size
    }
    opts.onProgress({ blobs: [...blobs.values()].map((b) => ({ ...b })), done, total })
  }
  return to.withLease(async (lease) => {
    const put: Handler = async (desc, walkSignal) => {
      // A blob two parents share is copied once.
      if (blobs.has(desc.digest)) return []
      const b: CopyBlob = {
        digest: desc.digest,
        mediaType: desc.mediaType,
        size: desc.size,
        offset: 0,
        state: 'waiting',
      }
      blobs.set(desc.digest, b)
      const signal = walkSignal ? AbortSignal.any([user, walkSignal]) : user
      const r = await to.put(desc, (offset) => from.read(desc, offset, signal), {
        lease,
        signal,
        onProgress: (offset) => {
          b.offset = offset
          b.state = 'uploading'
          report()
        },
      })
      b.offset = desc.size
      b.state = r === 'exists' ? 'exists' : 'done'
      if (r === 'exists') {
        result.skipped++
        result.bytesSkipped += desc.size
      } else {
        result.written++
        result.bytesWritten += desc.size
      }
      report()
      return []
    }
    const children = filterPlatforms(childrenHandler(from.provider), m)
    await dispatch(
      handlers(put, setChildrenLabels(to, to.namespace, children)),
      opts.concurrency ?? 3,
      img.target,
    )
    user.throwIfAborted()
    const image = await to.saveImage({
      name: opts.targetName ?? img.name,
      labels: img.labels,
      target: img.target,
    })
    return { image, ...result }
  })
}
