// Import and export for the app's jobs: the core's archive reader and writer, with every platform kept
// unless the user names some (the app shows all platforms; dropping some silently would surprise).
import { exportArchive } from '../core/transfer/export'
import { importArchive } from '../core/transfer/import'
import { any, parse } from '../core/platforms'
import { realContentStore, type ServiceContext } from './context'
import type { TransferPort } from './index'

const contentStore = (ctx: ServiceContext) => realContentStore(ctx, 'import and export')

export const coreTransfer: TransferPort = {
  async importArchive(ctx, req, signal, progress) {
    const content = contentStore(ctx)
    const platforms = req.platforms?.length ? req.platforms.map((p) => parse(p)) : null
    const r = await importArchive({ db: ctx.db, content, images: ctx.images }, req.namespace, req.path, {
      allPlatforms: platforms === null,
      ...(platforms ? { platform: any(...platforms) } : {}),
      signal,
      onProgress: (p) => progress(p.current || 'importing', p.bytesDone, p.bytesTotal),
    })
    return r.images.map((i) => i.name)
  },
  async exportArchive(ctx, req, signal, progress) {
    const content = contentStore(ctx)
    await exportArchive({ content, images: ctx.images }, req.namespace, req.names, req.path, {
      allPlatforms: !req.platforms?.length,
      ...(req.platforms?.length ? { platforms: req.platforms } : {}),
      signal,
      onProgress: (p) => progress(p.current || 'exporting', p.bytesDone, p.bytesTotal),
    })
  },
}
