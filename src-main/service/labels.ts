// Image labels as one use case: per-key edits (`labels.KEY` fieldpaths, so keys not named are left
// alone), for the CLI (`berth images label`, as `ctr images label`) and the app's editor (images.setLabels,
// which also refuses a change to an image that changed since the editor read it).
import { invalidArgument } from '../core/errors'
import type { Image } from '../core/images/store'
import { validateLabel } from '../core/labels'
import { validateNamespace } from '../core/namespace'
import type { ImageSummary, LabelChanges, SetLabelsRequest } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { ConflictError } from './errors'
import { imageSummary } from './images-list'
import { resolveImage } from './resolve-name'

/**
 * Per-key label changes (a value sets, null removes) as the stores take them: the labels to set and one
 * `labels.KEY` fieldpath per changed key, so labels the caller did not name are left alone.
 */
export function labelEdit(changes: Record<string, string | null>): {
  labels: Record<string, string>
  paths: string[]
} {
  const set: [string, string][] = []
  for (const [k, v] of Object.entries(changes)) {
    if (k === '') throw invalidArgument('label key must not be empty')
    if (v === null) continue
    validateLabel(k, v)
    set.push([k, v])
  }
  // fromEntries keeps a key such as "__proto__" as an own key; `labels[k] = v` would drop it.
  return { labels: Object.fromEntries(set), paths: Object.keys(changes).map((k) => `labels.${k}`) }
}

/**
 * Applies `changes` (a value sets, null removes) to the stored image; with `replace`, the values given
 * become all its labels (no changes: none left). Nothing to change and no replace writes nothing: the
 * image is returned as it is, so `berth images label NAME` shows the labels and touches nothing.
 */
function applyLabels(
  ctx: ServiceContext,
  ns: string,
  stored: Image,
  changes: LabelChanges,
  replace: boolean,
): Image {
  const { labels, paths } = labelEdit(changes)
  if (!replace && paths.length === 0) return stored
  return ctx.images.update(
    ns,
    { name: stored.name, labels, target: stored.target },
    ...(replace ? ['labels'] : paths),
  )
}

/** `berth images label`: the name resolves as every lookup does. */
export function labelImage(
  ctx: ServiceContext,
  nsIn: string,
  name: string,
  changes: LabelChanges,
  opts: { replace?: boolean } = {},
): Image {
  const ns = validateNamespace(nsIn)
  return ctx.images.transaction(
    () => applyLabels(ctx, ns, resolveImage(ctx, ns, name), changes, opts.replace ?? false),
    `labelling image ${JSON.stringify(name)}`,
  )
}

/** The editor started from `req.expectedUpdatedAt`; a record updated since is a conflict naming the keys. */
export function checkUnchanged(req: SetLabelsRequest, updatedAt: Date): void {
  const storedAt = updatedAt.toISOString()
  if (storedAt === req.expectedUpdatedAt) return
  const keys = Object.keys(req.changes)
  // Name the keys whose stored value the editor has not seen, so the user knows what to look at.
  throw new ConflictError(
    `image "${req.name}" was changed elsewhere at ${storedAt} (you started from ${req.expectedUpdatedAt}); ` +
      `your changes to ${keys.map((k) => JSON.stringify(k)).join(', ') || 'no keys'} were not saved. ` +
      'Reload the labels and apply them again.',
    keys,
  )
}

export async function setImageLabels(ctx: ServiceContext, req: SetLabelsRequest): Promise<ImageSummary> {
  const ns = validateNamespace(req.namespace)
  // One IMMEDIATE transaction: no other process can change the image between the check and the write.
  ctx.images.transaction(
    () => {
      const stored = ctx.images.get(ns, req.name)
      checkUnchanged(req, stored.updatedAt)
      applyLabels(ctx, ns, stored, req.changes, false)
    },
    `saving labels of image ${JSON.stringify(req.name)}`,
  )
  return imageSummary(ctx, ns, req.name)
}
