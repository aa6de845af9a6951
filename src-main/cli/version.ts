// `berth --version` and `berth version`. Only package.json's version is read (bundled at build time), so
// the answer comes without loading the store.
import { version as packageVersion } from '../../package.json'
import { formatAll, hostPlatform } from '../core/platforms'
import { printJSON, type CommandContext } from './io'
import { columns } from './table'

export const version = (): string => packageVersion

export async function versionCommand(ctx: CommandContext): Promise<void> {
  const v = {
    version: version(),
    node: process.version,
    platform: formatAll(hostPlatform()),
    root: ctx.root,
  }
  if (ctx.json) return printJSON(ctx, v)
  ctx.out(
    columns([
      ['Version:', v.version],
      ['Node.js:', v.node],
      ['Platform:', v.platform],
      ['Store:', v.root],
    ]),
  )
}
