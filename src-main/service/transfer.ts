// Import and export for the app's jobs: the same use cases as the CLI's (import.ts, export.ts), with
// every platform kept unless the user names some (the app shows all platforms; dropping some silently
// would surprise).
import { any, parse } from '../core/platforms'
import { exportImages } from './export'
import { importImage } from './import'
import type { TransferPort } from './index'

export const coreTransfer: TransferPort = {
  async importArchive(ctx, req, signal, progress) {
    const platforms = req.platforms?.length ? req.platforms.map((p) => parse(p)) : null
    const r = await importImage(ctx, req.namespace, req.path, {
      allPlatforms: platforms === null,
      ...(platforms ? { platform: any(...platforms) } : {}),
      signal,
      onProgress: (p) => progress(p.current || 'importing', p.bytesDone, p.bytesTotal),
    })
    return r.images.map((i) => i.name)
  },
  async exportArchive(ctx, req, signal, progress) {
    await exportImages(ctx, req.namespace, req.names, req.path, {
      allPlatforms: !req.platforms?.length,
      ...(req.platforms?.length ? { platforms: req.platforms } : {}),
      signal,
      onProgress: (p) => progress(p.current || 'exporting', p.bytesDone, p.bytesTotal),
    })
  },
}
