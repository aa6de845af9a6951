// images.setLabels: per-key label edits (`labels.KEY` fieldpaths) applied in one transaction, refused as
// a conflict when the image changed since the editor read it.
import { invalidArgument } from '../core/errors'
import { validateLabel } from '../core/labels'
import { validateNamespace } from '../core/namespace'
import type { ImageSummary, SetLabelsRequest } from '../../src-preload/api'
import type { ServiceContext } from './context'
import { ConflictError } from './errors'
import { imageSummary } from './images-list'

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

export async function setImageLabels(ctx: ServiceContext, req: SetLabelsRequest): Promise<ImageSummary> {
  const ns = validateNamespace(req.namespace)
  const keys = Object.keys(req.changes)
  const { labels, paths } = labelEdit(req.changes)
  // One IMMEDIATE transaction: no other process can change the image between the check and the write.
  ctx.images.transaction(
    () => {
      const stored = ctx.images.get(ns, req.name)
      const storedAt = stored.updatedAt.toISOString()
      if (storedAt !== req.expectedUpdatedAt) {
        // Name the keys whose stored value the editor has not seen, so the user knows what to look at.
        throw new ConflictError(
          `image "${req.name}" was changed elsewhere at ${storedAt} (you started from ${req.expectedUpdatedAt}); ` +
            `your changes to ${keys.map((k) => JSON.stringify(k)).join(', ') || 'no keys'} were not saved. ` +
            'Reload the labels and apply them again.',
          keys,
        )
      }
      if (keys.length === 0) return
      ctx.images.update(ns, { name: req.name, labels, target: stored.target }, ...paths)
    },
    `saving labels of image ${JSON.stringify(req.name)}`,
  )
  return imageSummary(ctx, ns, req.name)
}
