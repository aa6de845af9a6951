// Changing a containerd source's images: the daemon first (Images.Update with fieldpaths, Create,
// Delete with its synchronous GC), then the daemon's answer into the mirror. The app's handlers and the
// CLI both call these, and they mean what the same use case means on Berth's store (labels.ts, tag.ts,
// remove.ts): names resolve as every lookup does (exactly, else as `pull` names them), tag targets are
// normalized unless taken literally, absent names to remove are reported, not fatal.
import { createImage, deleteImage, getImage, updateImage } from '../../core/containerd/images'
import { alreadyExists, isKind, notFound } from '../../core/errors'
import type { Image } from '../../core/images/store'
import { validateNamespace } from '../../core/namespace'
import { normalizeReference } from '../../core/transfer/registry/reference'
import type { LabelChanges } from '../../../src-preload/api'
import { labelEdit } from '../labels'
import type { Removal } from '../remove'
import { canonicalName } from '../resolve-name'
import type { ContainerdSource } from './containerd-source'
import { dropImage, putImage } from './mirror'

/** The daemon's image a typed name means: that exact name, else the name as `pull` would store it. */
export async function resolveDaemonImage(src: ContainerdSource, ns: string, name: string): Promise<Image> {
  try {
    return await getImage(src.conn, ns, name)
  } catch (e) {
    if (!isKind(e, 'not-found')) throw e
    const canonical = canonicalName(name)
    if (!canonical || canonical === name) throw e
    try {
      return await getImage(src.conn, ns, canonical)
    } catch (e2) {
      if (!isKind(e2, 'not-found')) throw e2
      throw notFound(
        `image "${name}" not found (nor "${canonical}") in namespace "${ns}" of containerd at ${src.address}`,
      )
    }
  }
}

/**
 * `changes` (a value sets, null removes) through Images.Update with one `labels.KEY` fieldpath each;
 * `replace` makes the given values all the labels. Nothing to change: the image as it is. `current`
 * is the record the caller already read (the app's editor checks it for a conflict first).
 */
export async function setLabels(
  src: ContainerdSource,
  nsIn: string,
  name: string,
  changes: LabelChanges,
  opts: { replace?: boolean; current?: Image } = {},
): Promise<Image> {
  const ns = validateNamespace(nsIn)
  const stored = opts.current ?? (await resolveDaemonImage(src, ns, name))
  const { labels, paths } = labelEdit(changes)
  const img =
    opts.replace || paths.length
      ? await updateImage(
          src.conn,
          ns,
          { name: stored.name, labels, target: stored.target },
          opts.replace ? ['labels'] : paths,
        )
      : stored
  putImage(src.db, ns, img)
  return img
}

/** A new name for the source's target and labels; an existing name is replaced only with `force`. */
export async function tag(
  src: ContainerdSource,
  nsIn: string,
  source: string,
  targets: string[],
  opts: { force?: boolean; literal?: boolean } = {},
): Promise<Image[]> {
  const ns = validateNamespace(nsIn)
  // Every target is checked before anything is written.
  const names = opts.literal ? targets : targets.map((t) => normalizeReference(t))
  const from = await resolveDaemonImage(src, ns, source)
  const out: Image[] = []
  for (const name of names) {
    const record = { name, labels: from.labels, target: from.target }
    let img: Image
    try {
      img = await createImage(src.conn, ns, record)
    } catch (e) {
      if (!isKind(e, 'already-exists')) throw e
      if (!opts.force) throw alreadyExists(`image "${name}" already exists`)
      img = await updateImage(src.conn, ns, record)
    }
    putImage(src.db, ns, img)
    out.push(img)
  }
  return out
}

/**
 * ctr images rm: each name resolved, absent ones reported; with `sync` the last delete is the
 * daemon's synchronous one (one collection for the lot) and `freed` is what the namespace no longer
 * holds afterwards.
 */
export async function remove(
  src: ContainerdSource,
  nsIn: string,
  names: string[],
  opts: { sync?: boolean } = {},
): Promise<Removal> {
  const ns = validateNamespace(nsIn)
  const held = () =>
    src.db
      .prepare('SELECT count(*) AS blobs, total(size) AS bytes FROM content WHERE namespace = ?')
      .get(ns) as { blobs: number; bytes: number }
  // What it freed is before minus after, so "before" is read now, not taken from a sync a moment ago: the
  // daemon's own (asynchronous) GC of an earlier delete may have removed blobs since.
  if (opts.sync) await src.sync(ns, 'always')
  const before = opts.sync ? held() : null
  const out: Removal = { removed: [], notFound: [] }
  const present: string[] = []
  for (const n of names) {
    try {
      present.push((await resolveDaemonImage(src, ns, n)).name)
    } catch (e) {
      if (!isKind(e, 'not-found')) throw e
      out.notFound.push(n)
    }
  }
  for (const [i, name] of present.entries()) {
    try {
      await deleteImage(src.conn, ns, name, { sync: opts.sync && i === present.length - 1 })
      out.removed.push(name)
    } catch (e) {
      // Deleted by someone else meanwhile.
      if (!isKind(e, 'not-found')) throw e
      out.notFound.push(name)
    }
    dropImage(src.db, ns, name)
  }
  if (before) {
    await src.sync(ns, 'always')
    const after = held()
    out.freed = {
      bytes: Math.max(0, before.bytes - after.bytes),
      blobs: Math.max(0, before.blobs - after.blobs),
    }
  }
  return out
}
