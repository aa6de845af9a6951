// `berth gc [--dry-run]`: containerd's garbage collection over the whole store.
import { collectGarbage } from '../service/collect'
import { flag, positional, type Parsed } from './args'
import { printJSON, type CommandContext } from './io'
import { bytesBinary, columns } from './table'

export async function gcCommand(ctx: CommandContext, p: Parsed): Promise<void> {
  positional(p, 'gc', 0, 0, 'takes no arguments')
  const dryRun = flag(p, 'dry-run')
  const r = collectGarbage(ctx.berth(), { dryRun })
  if (ctx.json)
    return printJSON(ctx, {
      dryRun,
      removed: r.removed,
      bytesFreed: r.bytesFreed,
      blobsDeleted: r.blobsDeleted,
    })
  if (r.removed.length) {
    ctx.out(
      columns([
        ['KIND', 'NAMESPACE', 'KEY', 'SIZE'],
        ...r.removed.map((x) => [
          x.kind,
          x.namespace,
          x.key,
          x.size !== undefined ? bytesBinary(x.size) : '-',
        ]),
      ]),
    )
  }
  ctx.out(
    `${dryRun ? 'would remove' : 'removed'} ${r.removed.length} records, ${r.blobsDeleted} blobs, ${bytesBinary(r.bytesFreed)}\n`,
  )
}
