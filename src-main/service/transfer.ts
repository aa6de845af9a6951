// Import and export for the app's jobs: the same use cases as the CLI's (import.ts, export.ts), with
// every platform kept unless the user names some (the app shows all platforms; dropping some silently
// would surprise).
import type { LeftOut } from '../core/transfer/export'
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
    const notes = r.skipped.map((x) => `${x.name}: not imported, ${x.reason}`)
    return { images: r.images.map((i) => i.name), ...(notes.length ? { notes } : {}) }
  },
  async exportArchive(ctx, req, signal, progress) {
    const r = await exportImages(ctx, req.namespace, req.names, req.path, {
      allPlatforms: !req.platforms?.length,
      ...(req.platforms?.length ? { platforms: req.platforms } : {}),
      signal,
      onProgress: (p) => progress(p.current || 'exporting', p.bytesDone, p.bytesTotal),
    })
    const notes = r.leftOut.map(leftOutNote)
    return notes.length ? { notes } : {}
  },
}

/** One line for a platform an export left out: the CLI and the app say it alike. */
export function leftOutNote(l: LeftOut): string {
  return `${l.image}: left out ${l.platform} (${l.digest}): ${l.missing} of its blobs are missing from the store`
}
