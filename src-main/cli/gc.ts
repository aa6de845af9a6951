// `berth gc [--dry-run]`: containerd's garbage collection over the whole store.
import { collectGarbage } from '../service/berth-images'
import { flag, parseFlags } from './args'
import { printJSON, type CommandContext } from './io'
import { bytesBinary, tabwrite } from './table'

export const GC_HELP = `berth gc [--dry-run]   remove what no image, lease or gc.root label keeps alive (--dry-run: only list it)
`

export async function gcCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const p = parseFlags(argv, { bools: ['dry-run'] }, 'gc')
  const dryRun = flag(p, 'dry-run')
  const r = collectGarbage(ctx.berth(), dryRun)
  if (ctx.json)
    return printJSON(ctx, {
      dryRun,
      removed: r.removed,
      bytesFreed: r.bytesFreed,
      blobsDeleted: r.blobsDeleted,
    })
  if (r.removed.length) {
    const lines = ['KIND\tNAMESPACE\tKEY\tSIZE\t']
    for (const x of r.removed)
      lines.push(`${x.kind}\t${x.namespace}\t${x.key}\t${x.size !== undefined ? bytesBinary(x.size) : '-'}\t`)
    ctx.out(tabwrite(lines.join('\n') + '\n'))
  }
  ctx.out(
    `${dryRun ? 'would remove' : 'removed'} ${r.removed.length} records, ${r.blobsDeleted} blobs, ${bytesBinary(r.bytesFreed)}\n`,
  )
}
