// Changing a containerd source's images: the daemon first (Images.Update with fieldpaths, Create,
// Delete with its synchronous GC), then the daemon's answer into the mirror. The app's handlers and the
// CLI both call these, so a label, a tag or a delete means the same from either.
import { createImage, deleteImage, getImage, updateImage } from '../../core/containerd/images'
import { alreadyExists, isKind } from '../../core/errors'
import type { Image } from '../../core/images/store'
import { validateNamespace } from '../../core/namespace'
import type { ContainerdSource } from './containerd-source'
import { dropImage, putImage } from './mirror'

/** `paths` as labelEdit builds them (`labels.KEY` each), or ['labels'] to replace every label. */
export async function setLabels(
  src: ContainerdSource,
  ns: string,
  name: string,
  labels: Record<string, string>,
  paths: string[],
  current?: Image,
): Promise<Image> {
  validateNamespace(ns)
  const stored = current ?? (await getImage(src.conn, ns, name))
  const img = paths.length
    ? await updateImage(src.conn, ns, { name, labels, target: stored.target }, paths)
    : stored
  putImage(src.db, ns, img)
  return img
}

/** A second name for the source's target (and labels); an existing name only with `force`. */
export async function tag(
  src: ContainerdSource,
  ns: string,
  source: string,
  target: string,
  force = false,
): Promise<Image> {
  validateNamespace(ns)
  const from = await getImage(src.conn, ns, source)
  const record = { name: target, labels: from.labels, target: from.target }
  let img: Image
  try {
    img = await createImage(src.conn, ns, record)
  } catch (e) {
    if (!isKind(e, 'already-exists')) throw e
    if (!force)
      throw alreadyExists(`image "${target}" already exists: choose Replace (--force) to overwrite it`)
    img = await updateImage(src.conn, ns, record)
  }
  putImage(src.db, ns, img)
  return img
}

export interface Removal {
  removed: string[]
  notFound: string[]
  /** Blobs and bytes the namespace held before and no longer does (the daemon's GC, with sync). */
  blobs: number
  reclaimedBytes: number
}

/** ctr images rm: absent names are reported, not fatal; with sync, the last delete collects for all. */
export async function remove(
  src: ContainerdSource,
  ns: string,
  names: string[],
  sync = true,
): Promise<Removal> {
  validateNamespace(ns)
  const held = () =>
    src.db
      .prepare('SELECT count(*) AS blobs, total(size) AS bytes FROM content WHERE namespace = ?')
      .get(ns) as {
      blobs: number
      bytes: number
    }
  await src.fresh(ns, { content: 'always' })
  const before = held()
  const out: Removal = { removed: [], notFound: [], blobs: 0, reclaimedBytes: 0 }
  const known = src.db.prepare('SELECT 1 FROM images WHERE namespace = ? AND name = ?').pluck()
  const present = names.filter((n) => known.get(ns, n) !== undefined)
  out.notFound.push(...names.filter((n) => known.get(ns, n) === undefined))
  for (const [i, name] of present.entries()) {
    try {
      await deleteImage(src.conn, ns, name, { sync: sync && i === present.length - 1 })
      out.removed.push(name)
    } catch (e) {
      // Deleted by someone else since the mirror's last look.
      if (!isKind(e, 'not-found')) throw e
      out.notFound.push(name)
    }
    dropImage(src.db, ns, name)
  }
  await src.sync(ns, 'always')
  const after = held()
  out.blobs = Math.max(0, before.blobs - after.blobs)
  out.reclaimedBytes = Math.max(0, before.bytes - after.bytes)
  return out
}
