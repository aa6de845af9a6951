// Import and export for the app's job runner (service/index.ts TransferPort), over the same core
// functions the CLI uses.
import { ContentStore } from '../core/content/store'
import { gc } from '../core/gc'
import { failedPrecondition } from '../core/errors'
import { ordered, parse } from '../core/platforms'
import { exportArchive } from '../core/transfer/export'
import { importArchive } from '../core/transfer/import'
import type { ServiceContext } from './context'
import type { TransferPort } from './index'

function contentStore(ctx: ServiceContext): ContentStore {
  if (!(ctx.content instanceof ContentStore)) {
    throw failedPrecondition('import and export need the real content store (open the store with openBerth)')
  }
  return ctx.content
}

export const berthTransfer: TransferPort = {
  async importArchive(ctx, req, signal, progress) {
    const content = contentStore(ctx)
    const platforms = req.platforms ?? []
    try {
      const r = await importArchive({ db: ctx.db, content, images: ctx.images }, req.namespace, req.path, {
        allPlatforms: platforms.length === 0,
        platform: platforms.length > 0 ? ordered(...platforms.map((p) => parse(p))) : undefined,
        signal,
        onProgress: (p) =>
          progress(
            p.current === 'done' || p.current === 'saving' || p.current === 'resolving'
              ? p.current
              : 'reading',
            p.bytesDone,
            p.bytesTotal,
          ),
      })
      return r.images.map((i) => i.name)
    } catch (e) {
      gc(ctx.db, { root: ctx.storeRoot, now: ctx.now })
      throw e
    }
  },
  async exportArchive(ctx, req, signal, progress) {
    const content = contentStore(ctx)
    const platforms = req.platforms ?? []
    await exportArchive({ content, images: ctx.images }, req.namespace, req.names, req.path, {
      allPlatforms: platforms.length === 0,
      platforms,
      signal,
      onProgress: (p) => progress(p.current === 'done' ? 'done' : 'writing', p.bytesDone, p.bytesTotal),
    })
  },
}
