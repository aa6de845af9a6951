// `berth content get` and `content label`'s read: one blob of a namespace by digest (NotFound when the
// namespace has no record of it, even if another namespace's file is on disk).
import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { blobPath } from '../core/content/layout'
import type { Info } from '../core/content/store'
import { validateNamespace } from '../core/namespace'
import { parseDigest } from '../core/oci'
import { realContentStore, type ServiceContext } from './context'

export async function contentInfo(ctx: ServiceContext, ns: string, digest: string): Promise<Info> {
  return realContentStore(ctx, 'reading a blob').info(validateNamespace(ns), parseDigest(digest))
}

export async function readBlobStream(ctx: ServiceContext, ns: string, digest: string): Promise<Readable> {
  const info = await contentInfo(ctx, ns, digest)
  return createReadStream(blobPath(ctx.storeRoot, info.digest), { highWaterMark: 1 << 20 })
}
