// Import as one use case for the CLI (`berth images import`) and the app (Import…): the core's archive
// reader (core/transfer/import.ts) into the store, then, when it fails, a garbage collection so the
// blobs it had taken back out of the namespace leave the disk too. Which platforms are kept is the
// caller's request: the CLI defaults to this machine's, as ctr does; the app asks for all.
import { importArchive, type ImportOptions, type ImportResult } from '../core/transfer/import'
import { collectGarbage } from './collect'
import { realContentStore, type ServiceContext } from './context'

export type { ImportOptions, ImportResult } from '../core/transfer/import'

export async function importImage(
  ctx: ServiceContext,
  ns: string,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const content = realContentStore(ctx, 'import')
  try {
    return await importArchive({ db: ctx.db, content, images: ctx.images }, ns, file, {
      host: ctx.host,
      ...opts,
    })
  } catch (e) {
    try {
      collectGarbage(ctx)
    } catch {
      // The import's own error is the one to report.
    }
    throw e
  }
}
