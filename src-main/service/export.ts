// Export as one use case for the CLI (`berth images export`) and the app (Export…): the names resolve as
// every lookup does (resolve-name.ts), the output's directory must exist (named in the error, not a
// temporary file's name), then the core writes the archive (atomically) or the layout directory.
import { statSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { dirname, resolve } from 'node:path'
import { failedPrecondition } from '../core/errors'
import {
  exportArchive,
  exportDirectory,
  type ExportOptions,
  type ExportResult,
} from '../core/transfer/export'
import type { ServiceContext } from './context'
import { resolveImage } from './resolve-name'

export type { ExportOptions, ExportResult } from '../core/transfer/export'

export interface ExportRequest extends ExportOptions {
  /** An OCI layout directory instead of a tar. */
  directory?: boolean
  /** Write the tar here (e.g. stdout) instead of to `out`. */
  stream?: Writable
}

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory()
  } catch {
    return undefined
  }
}

/** Refuses an output whose directory is missing, or a tar that would replace a directory. */
export function checkOutput(out: string, directory: boolean): void {
  const path = resolve(out)
  const parent = dirname(path)
  const parentIsDir = isDirectory(parent)
  if (parentIsDir === undefined)
    throw failedPrecondition(`cannot write ${path}: the directory ${parent} does not exist`)
  if (!parentIsDir) throw failedPrecondition(`cannot write ${path}: ${parent} is not a directory`)
  const self = isDirectory(path)
  if (directory && self === false)
    throw failedPrecondition(`cannot write a layout directory at ${path}: it is a file`)
  if (!directory && self === true)
    throw failedPrecondition(`cannot write an archive at ${path}: it is a directory`)
}

export async function exportImages(
  ctx: ServiceContext,
  ns: string,
  names: string[],
  out: string,
  req: ExportRequest = {},
): Promise<ExportResult> {
  const resolved = names.map((n) => resolveImage(ctx, ns, n).name)
  const core = { content: ctx.content, images: ctx.images }
  if (req.directory) {
    checkOutput(out, true)
    return exportDirectory(core, ns, resolved, out, req)
  }
  if (!req.stream) checkOutput(out, false)
  return exportArchive(core, ns, resolved, out, req)
}
