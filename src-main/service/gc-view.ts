// containerd's GC graph (core/gc-mark.ts) seen from a few nodes instead of marked whole: who a node's
// parents and children are, read through indexes, and whether a node is reached from a root — answered
// by searching its ancestors, not by marking the store. One namespace, in a world where some images are
// taken away (the delete preview asks "and without these?"). The rules are gc-mark's: images are roots
// until a parseable gc.expire passes, gc.root content, live leases (flat ones keep their resources
// without following references), live ingests keep their expected blob; edges are image targets,
// gc.ref.content / gc.ref.image labels, and gc.bref labels read backwards (on content always, on images
// only once expired).
import type { Database } from '../core/db'
import { parseLabels, refKey } from '../core/gc-mark'
import { parseRFC3339 } from '../core/rfc3339'
import {
  LABEL_GC_BREF_CONTENT,
  LABEL_GC_BREF_IMAGE,
  LABEL_GC_EXPIRE,
  LABEL_GC_FLAT,
  LABEL_GC_REF_CONTENT,
  LABEL_GC_REF_IMAGE,
  LABEL_GC_ROOT,
} from '../core/labels'

/** Node ids within the namespace: `c\0<digest>` or `i\0<image name>` (names may hold anything). */
export const contentNode = (digest: string): string => `c\0${digest}`
export const imageNode = (name: string): string => `i\0${name}`
const keyOf = (node: string): string => node.slice(2)
const isImage = (node: string): boolean => node.startsWith('i\0')

export interface GcView {
  /** The nodes a full (non-flat) visit of this node marks next. */
  children(node: string): string[]
  /** The nodes whose full visit marks this one. */
  parents(node: string): string[]
  /** Marked by a full visit: kept, and keeps what it references. */
  fullLive(node: string): boolean
  /** Whether the namespace's record of this blob survives a collection (a flat lease suffices). */
  contentLive(digest: string): boolean
  /** A live image record: a root until it expires. */
  isImageRoot(name: string): boolean
  /** Whether GC keeps the namespace's ingest `ref` (by its row's lease or expiry, or a live lease). */
  ingestLive(ref: string, lease: string | null, expiresAt: number | null): boolean
}

type Pairs = [string, string][]

export function gcView(
  db: Database,
  ns: string,
  now: number,
  removed: ReadonlySet<string> = new Set(),
): GcView {
  const p = (sql: string) => db.prepare(sql)
  const GC = `key GLOB 'containerd.io/gc.*'`
  const st = {
    target: p('SELECT target_digest FROM images WHERE namespace = ? AND name = ?').pluck(),
    imageLabels: p(`SELECT key, value FROM image_labels WHERE namespace = ? AND name = ? AND ${GC}`).raw(),
    contentLabels: p(
      `SELECT key, value FROM content_labels WHERE namespace = ? AND digest = ? AND ${GC}`,
    ).raw(),
    targeting: p('SELECT name FROM images WHERE namespace = ? AND target_digest = ?').pluck(),
    // INDEXED BY: left to choose, SQLite takes the (namespace, key, value) index over the key range of
    // every gc label, which reads all of the namespace's gc labels for each lookup.
    imagesNaming: p(
      `SELECT name, key FROM image_labels INDEXED BY image_labels_by_value
        WHERE namespace = ? AND value = ? AND ${GC}`,
    ).raw(),
    contentNaming: p(
      `SELECT digest, key FROM content_labels INDEXED BY content_labels_by_value
        WHERE namespace = ? AND value = ? AND ${GC}`,
    ).raw(),
    leasesHolding: p(
      `SELECT l.labels FROM lease_resources r JOIN leases l ON l.namespace = r.namespace AND l.id = r.lease
        WHERE r.namespace = ? AND r.kind = ? AND r.key = ?`,
    ).pluck(),
    lease: p('SELECT labels FROM leases WHERE namespace = ? AND id = ?').pluck(),
    ingests: p('SELECT ref, lease, expires_at FROM ingests WHERE namespace = ? AND expected = ?').raw(),
  }

  const exists = (name: string): boolean => !removed.has(name) && st.target.get(ns, name) !== undefined
  const imageLabels = (name: string): Pairs => (exists(name) ? (st.imageLabels.all(ns, name) as Pairs) : [])
  const contentLabels = (d: string): Pairs => st.contentLabels.all(ns, d) as Pairs
  const expired = (labels: Pairs): boolean => {
    const exp = labels.find(([k]) => k === LABEL_GC_EXPIRE)
    const at = exp ? parseRFC3339(exp[1]) : undefined
    return at !== undefined && now > at
  }
  /** A lease is live until a parseable gc.expire passes; flat ones follow no references. */
  const leaseState = (json: string): 'dead' | 'flat' | 'full' => {
    const labels = parseLabels(json)
    const at = Object.hasOwn(labels, LABEL_GC_EXPIRE)
      ? parseRFC3339(String(labels[LABEL_GC_EXPIRE]))
      : undefined
    if (at !== undefined && now > at) return 'dead'
    return Object.hasOwn(labels, LABEL_GC_FLAT) ? 'flat' : 'full'
  }
  const leased = (kind: string, key: string, want: 'flat' | 'full' | 'any'): boolean =>
    (st.leasesHolding.all(ns, kind, key) as string[]).some((json) => {
      const s = leaseState(json)
      return s !== 'dead' && (want === 'any' || s === want)
    })
  /** Its row's lease is live, or failing that its expiry is ahead, or a live lease holds it. */
  const ingestLive = (ref: string, lease: string | null, expiresAt: number | null): boolean => {
    const json = lease === null ? undefined : (st.lease.get(ns, lease) as string | undefined)
    if (json !== undefined && leaseState(json) !== 'dead') return true
    if (expiresAt !== null && !(now > expiresAt)) return true
    return leased('ingest', ref, 'any')
  }

  const isImageRoot = (name: string): boolean => exists(name) && !expired(imageLabels(name))
  const isRoot = (node: string): boolean => {
    const key = keyOf(node)
    if (isImage(node)) return isImageRoot(key) || leased('image', key, 'full')
    if (contentLabels(key).some(([k]) => k.startsWith(LABEL_GC_ROOT))) return true
    if (leased('content', key, 'full')) return true
    return (st.ingests.all(ns, key) as [string, string | null, number | null][]).some((r) => ingestLive(...r))
  }

  /** Back references on `child`: the parents its gc.bref labels name. */
  const backRefs = (labels: Pairs, out: string[]): void => {
    for (const [k, v] of labels) {
      if (refKey(k, LABEL_GC_BREF_CONTENT)) out.push(contentNode(v))
      else if (refKey(k, LABEL_GC_BREF_IMAGE)) out.push(imageNode(v))
    }
  }
  const forwardRefs = (labels: Pairs, out: string[]): void => {
    for (const [k, v] of labels) {
      if (refKey(k, LABEL_GC_REF_CONTENT)) out.push(contentNode(v))
      else if (refKey(k, LABEL_GC_REF_IMAGE)) out.push(imageNode(v))
    }
  }

  const parents = (node: string): string[] => {
    const key = keyOf(node)
    const out: string[] = []
    const ref = isImage(node) ? LABEL_GC_REF_IMAGE : LABEL_GC_REF_CONTENT
    for (const [name, k] of st.imagesNaming.all(ns, key) as Pairs)
      if (refKey(k, ref) && exists(name)) out.push(imageNode(name))
    for (const [digest, k] of st.contentNaming.all(ns, key) as Pairs)
      if (refKey(k, ref)) out.push(contentNode(digest))
    if (isImage(node)) {
      // An image's own back references count only once it has expired (before that it is a root).
      const labels = imageLabels(key)
      if (expired(labels)) backRefs(labels, out)
    } else {
      for (const name of st.targeting.all(ns, key) as string[])
        if (!removed.has(name)) out.push(imageNode(name))
      backRefs(contentLabels(key), out)
    }
    return out
  }

  const children = (node: string): string[] => {
    const key = keyOf(node)
    const out: string[] = []
    const bref = isImage(node) ? LABEL_GC_BREF_IMAGE : LABEL_GC_BREF_CONTENT
    if (isImage(node)) {
      const target = exists(key) ? (st.target.get(ns, key) as string) : undefined
      if (target !== undefined) out.push(contentNode(target))
      forwardRefs(imageLabels(key), out)
    } else forwardRefs(contentLabels(key), out)
    // Children that name this node in a back reference: content always, images once expired.
    for (const [digest, k] of st.contentNaming.all(ns, key) as Pairs)
      if (refKey(k, bref)) out.push(contentNode(digest))
    for (const [name, k] of st.imagesNaming.all(ns, key) as Pairs)
      if (refKey(k, bref) && exists(name) && expired(imageLabels(name))) out.push(imageNode(name))
    return out
  }

  const known = new Map<string, boolean>()
  /** Searches the node's ancestors for a root; a search that finds none proves every ancestor dead too. */
  const fullLive = (node: string): boolean => {
    const k = known.get(node)
    if (k !== undefined) return k
    const seen = new Set([node])
    const stack = [node]
    while (stack.length > 0) {
      const x = stack.pop() as string
      if (known.get(x) === true || isRoot(x)) {
        known.set(node, true)
        return true
      }
      for (const q of parents(x)) {
        if (seen.has(q) || known.get(q) === false) continue
        seen.add(q)
        stack.push(q)
      }
    }
    for (const x of seen) known.set(x, false)
    return false
  }

  const contentLive = (digest: string): boolean => {
    if (fullLive(contentNode(digest))) return true
    // Flat: a flat lease holds the blob, or holds an image whose target it is.
    if (leased('content', digest, 'flat')) return true
    return (st.targeting.all(ns, digest) as string[]).some(
      (name) => !removed.has(name) && leased('image', name, 'flat'),
    )
  }

  return { children, parents, fullLive, contentLive, isImageRoot, ingestLive }
}
