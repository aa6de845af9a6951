// Which image a name the user typed means, for every command that looks an image up (inspect, tag, rm,
// label, export, push; the app's calls too): the record of exactly that name, else the record named as
// `pull` names images (feas/multi:2.0 is docker.io/feas/multi:2.0, nginx is docker.io/library/nginx:latest).
// containerd's store takes names as they are, so an exact match always wins.
import { isKind, notFound } from '../core/errors'
import type { Image } from '../core/images/store'
import { normalizeReference } from '../core/transfer/registry/reference'
import type { ServiceContext } from './context'

/** The name as pull would store it, or undefined when it is no valid reference. */
export function canonicalName(name: string): string | undefined {
  try {
    return normalizeReference(name)
  } catch {
    return undefined
  }
}

function getIfPresent(ctx: ServiceContext, ns: string, name: string): Image | undefined {
  try {
    return ctx.images.get(ns, name)
  } catch (e) {
    if (isKind(e, 'not-found')) return undefined
    throw e
  }
}

/** The image `name` means; NotFound naming both spellings it tried. */
export function resolveImage(ctx: ServiceContext, ns: string, name: string): Image {
  const exact = getIfPresent(ctx, ns, name)
  if (exact) return exact
  const canonical = canonicalName(name)
  const found = canonical && canonical !== name ? getIfPresent(ctx, ns, canonical) : undefined
  if (found) return found
  throw notFound(
    `image "${name}" not found${canonical && canonical !== name ? ` (nor "${canonical}")` : ''} in namespace "${ns}"`,
  )
}
