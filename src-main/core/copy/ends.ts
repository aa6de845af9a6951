// The two kinds of place a copy reads from and writes to: Berth's own store (its content store, image
// store and leases in SQLite) and a containerd daemon (its Content, Images and Leases services).
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { ContainerdConnection } from '../containerd/client'
import { contentInfo, daemonProvider, readContent, updateContent } from '../containerd/content'
import { createImage, getImage, updateImage } from '../containerd/images'
import { createLease, deleteLease } from '../containerd/leases'
import { chunkBuffer } from '../containerd/wire'
import { WRITE_CHUNK, writeBlob } from '../containerd/write'
import { blobPath } from '../content/layout'
import { writeStream, type ContentStore } from '../content/store'
import type { Database } from '../db'
import { isKind, notFound } from '../errors'
import type { Image, ImageInput, ImageStore } from '../images/store'
import { addResource, withLease } from '../leases'
import type { Descriptor } from '../oci'
import { refKey } from '../transfer/registry/fetch'
import type { CopySource, CopyTarget, PutOptions } from './copy'

/** Labels of the source record travel as `labels.KEY` paths: the target's other labels stay. */
function labelPaths(img: ImageInput): string[] {
  return Object.keys(img.labels).map((k) => `labels.${k}`)
}

export interface BerthStore {
  db: Database
  content: ContentStore
  images: ImageStore
}

/**
 * A file from `offset` on, in chunks of the Write stream's message size, each read into a buffer with
 * room for its message header (wire.ts chunkBuffer) so that sending it to a daemon copies it once.
 */
async function* readChunks(path: string, offset: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r')
  try {
    for (let pos = offset; ;) {
      signal.throwIfAborted()
      const buf = chunkBuffer(WRITE_CHUNK)
      const { bytesRead } = await fh.read(buf, 0, WRITE_CHUNK, pos)
      if (bytesRead === 0) return
      pos += bytesRead
      yield bytesRead === WRITE_CHUNK ? buf : buf.subarray(0, bytesRead)
    }
  } finally {
    await fh.close()
  }
}

export function berthSource(b: BerthStore, ns: string): CopySource {
  const provider = b.content.provider(ns)
  return {
    name: "Berth's store",
    namespace: ns,
    provider,
    async read(desc, offset, signal) {
      if (!(await provider.has(desc)))
        throw notFound(`${desc.digest} is not in Berth's store (namespace ${ns})`)
      return readChunks(blobPath(b.content.root, desc.digest), offset, signal)
    },
    image: async (name) => b.images.get(ns, name),
  }
}

export function berthTarget(b: BerthStore, ns: string): CopyTarget {
  return {
    name: "Berth's store",
    namespace: ns,
    info: (n, d) => b.content.info(n, d),
    update: (n, info, ...paths) => b.content.update(n, info, ...paths),
    withLease: (fn) => withLease(b.db, ns, fn),
    async put(desc: Descriptor, bytes, o: PutOptions) {
      if (await b.content.provider(ns).has(desc)) {
        addResource(b.db, ns, o.lease, { kind: 'content', key: desc.digest })
        o.onProgress(desc.size)
        return 'exists'
      }
      let offset = 0
      const source = await bytes(0)
      const counted = Readable.from(
        (async function* () {
          for await (const chunk of source) {
            offset += chunk.length
            o.onProgress(offset)
            yield chunk
          }
        })(),
      )
      await writeStream(b.content, ns, refKey(desc), counted, desc, { lease: o.lease })
      return 'written'
    },
    async saveImage(img) {
      try {
        return await b.images.create(ns, img)
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
        return b.images.update(ns, img, 'target', ...labelPaths(img))
      }
    },
  }
}

export function containerdSource(c: ContainerdConnection, ns: string): CopySource {
  return {
    name: `containerd at ${c.name}`,
    namespace: ns,
    provider: daemonProvider(c, ns),
    read: async (desc, offset, signal) => readContent(c, ns, desc, { offset, signal }),
    image: (name) => getImage(c, ns, name),
  }
}

export function containerdTarget(c: ContainerdConnection, ns: string): CopyTarget {
  return {
    name: `containerd at ${c.name}`,
    namespace: ns,
    info: (n, d) => contentInfo(c, n, d),
    update: (n, info, ...paths) => updateContent(c, n, info, paths),
    async withLease(fn) {
      const lease = await createLease(c, ns)
      try {
        return await fn(lease)
      } finally {
        // A daemon that went away keeps the lease until its gc.expire: nothing to do about it here.
        await deleteLease(c, ns, lease).catch(() => undefined)
      }
    },
    put: (desc, bytes, o) =>
      writeBlob(c, ns, {
        ref: refKey(desc),
        desc: { digest: desc.digest, size: desc.size },
        source: bytes,
        lease: o.lease,
        signal: o.signal,
        onProgress: o.onProgress,
      }),
    async saveImage(img): Promise<Image> {
      try {
        return await createImage(c, ns, img)
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
        return updateImage(c, ns, img, ['target', ...labelPaths(img)])
      }
    },
  }
}
