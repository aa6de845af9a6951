// Tagging as one use case for the CLI (`berth images tag`) and the app (Tag…), with ctr's semantics:
// every TARGET becomes a new image record with the source's target and labels; a TARGET that exists is
// replaced (deleted, then created anew) only with `force`, else AlreadyExists. TARGETs are references
// named as `pull` names images (app:1 is docker.io/library/app:1) and an invalid one is refused before
// anything is written; `literal` takes them as typed (ctr's --skip-reference-check). The source resolves
// as every lookup does. All targets are written in one transaction: all of them or none.
import { alreadyExists, isKind } from '../core/errors'
import type { Image } from '../core/images/store'
import { validateNamespace } from '../core/namespace'
import { normalizeReference } from '../core/transfer/registry/reference'
import type { ServiceContext } from './context'
import { resolveImage } from './resolve-name'

export interface TagOptions {
  force?: boolean
  literal?: boolean
}

export function tagImage(
  ctx: ServiceContext,
  nsIn: string,
  source: string,
  targets: string[],
  opts: TagOptions = {},
): Image[] {
  const ns = validateNamespace(nsIn)
  const names = opts.literal ? targets : targets.map((t) => normalizeReference(t))
  const src = resolveImage(ctx, ns, source)
  return ctx.images.transaction(() =>
    names.map((name) => {
      const image = { name, target: src.target, labels: src.labels }
      try {
        return ctx.images.create(ns, image)
      } catch (e) {
        if (!isKind(e, 'already-exists')) throw e
        if (!opts.force) throw alreadyExists(`image "${name}" already exists`)
        ctx.images.delete(ns, name)
        return ctx.images.create(ns, image)
      }
    }),
  )
}
