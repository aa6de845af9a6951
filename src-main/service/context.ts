// What the use cases need from an open store. openBerth() (service/berth.ts) builds the real one; tests
// may build it from parts.
import { ContentStore } from '../core/content/store'
import type { Database } from '../core/db'
import { failedPrecondition } from '../core/errors'
import type { Provider } from '../core/content/provider'
import type { ImageStore } from '../core/images/store'
import type { Platform } from '../core/oci'

/** The parts of the content store the use cases call (core/content/store.ts ContentStore). */
export interface ContentPort {
  provider(ns: string): Provider
  update(
    ns: string,
    info: { digest: string; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): Promise<unknown> | unknown
  /**
   * update() in one synchronous step, where the store has one (the local ContentStore; a containerd
   * daemon's content is updated over the network): callers run it in their own writeTx with a check.
   */
  updateSync?(
    ns: string,
    info: { digest: string; labels?: Record<string, string> },
    ...fieldpaths: string[]
  ): unknown
}

export interface ServiceContext {
  db: Database
  images: ImageStore
  content: ContentPort
  /** <userData>: berth.db and store/ live here. */
  root: string
  /** The content store's OCI layout (<root>/store): where GC deletes blob files. */
  storeRoot: string
  /** Injectable for tests, so the matrix is machine-independent. */
  host?: Platform
  now?: () => Date
}

/**
 * Import, export, pull and push write blobs, so they need the real store rather than a test's
 * ContentPort; `what` names the use case in the refusal.
 */
export function realContentStore(ctx: ServiceContext, what: string): ContentStore {
  if (!(ctx.content instanceof ContentStore))
    throw failedPrecondition(`${what} need the real content store (open the store with openBerth)`)
  return ctx.content
}
