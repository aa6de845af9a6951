// The mark phase of containerd's garbage collector (core/metadata/gc.go, pkg/gc Tricolor) over the
// SQLite tables: which images, content records, leases and ingests are reachable from a root.
import type { Database } from './db'
import {
  LABEL_GC_BREF_CONTENT,
  LABEL_GC_BREF_IMAGE,
  LABEL_GC_EXPIRE,
  LABEL_GC_FLAT,
  LABEL_GC_REF_CONTENT,
  LABEL_GC_REF_IMAGE,
  LABEL_GC_ROOT,
} from './labels'
import { parseRFC3339 } from './rfc3339'

/** Resource kinds; the `-flat` variants are leased through a gc.flat lease and follow no label refs. */
export type NodeType = 'content' | 'content-flat' | 'image' | 'image-flat' | 'lease' | 'ingest'
export type Kind = 'content' | 'image' | 'lease' | 'ingest'

export interface Graph {
  images: { namespace: string; name: string; target: string }[]
  content: { namespace: string; digest: string; size: number }[]
  leases: { namespace: string; id: string }[]
  /** expected: the blob a shared (pre-filled) writer commits without writing it, if any. */
  ingests: { namespace: string; ref: string; backendRef: string; expected: string | null }[]
}

/** Node identity. Types and namespaces (identifiers) never hold a NUL; keys (image names) might. */
const id = (t: NodeType | Kind, ns: string, key: string) => `${t}\0${ns}\0${key}`
export const nodeId = (k: Kind, ns: string, key: string) => id(k, ns, key)

function splitId(node: string): [NodeType, string, string] {
  const a = node.indexOf('\0')
  const b = node.indexOf('\0', a + 1)
  return [node.slice(0, a) as NodeType, node.slice(a + 1, b), node.slice(b + 1)]
}

/** `prefix` exactly, or `prefix` followed by `.` or `/` and any name; `prefixX` does not count. */
export function refKey(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false
  const next = key.charAt(prefix.length)
  return next === '' || next === '.' || next === '/'
}

type Labels = Map<string, [string, string][]>

/** Only the gc.* labels matter here. GLOB, unlike LIKE, is case-sensitive. */
function gcLabels(db: Database, table: 'image_labels' | 'content_labels', col: 'name' | 'digest'): Labels {
  const out: Labels = new Map()
  const rows = db
    .prepare(`SELECT namespace, ${col}, key, value FROM ${table} WHERE key GLOB 'containerd.io/gc.*'`)
    .raw()
    .all() as [string, string, string, string][]
  for (const [ns, k, key, value] of rows) {
    const node = `${ns}\0${k}`
    let list = out.get(node)
    if (!list) out.set(node, (list = []))
    list.push([key, value])
  }
  return out
}

export function parseLabels(json: string): Record<string, string> {
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' ? (v as Record<string, string>) : {}
  } catch {
    return {}
  }
}

/** Label refs (forward): gc.ref.content[./…] → content, gc.ref.image[./…] → image, same namespace. */
function labelRefs(ns: string, labels: [string, string][] | undefined, out: string[]): void {
  for (const [key, value] of labels ?? []) {
    if (refKey(key, LABEL_GC_REF_CONTENT)) out.push(id('content', ns, value))
    else if (refKey(key, LABEL_GC_REF_IMAGE)) out.push(id('image', ns, value))
  }
}

/** Back refs: gc.bref.content|image[./…] on a child name the parent that keeps the child alive. */
function backRefs(
  ns: string,
  labels: [string, string][] | undefined,
  child: string,
  into: Map<string, string[]>,
) {
  for (const [key, value] of labels ?? []) {
    let parent: string | undefined
    if (refKey(key, LABEL_GC_BREF_CONTENT)) parent = id('content', ns, value)
    else if (refKey(key, LABEL_GC_BREF_IMAGE)) parent = id('image', ns, value)
    // gc.bref.container and snapshot brefs name objects Berth does not have: they never live.
    if (parent === undefined) continue
    let list = into.get(parent)
    if (!list) into.set(parent, (list = []))
    list.push(child)
  }
}

/**
 * Loads every collectible object and marks what is reachable. Returns the graph and the reachable
 * node ids (flat variants folded into their kind, as upstream strips the flat bit when marking black).
 */
export function mark(db: Database, now: number): { graph: Graph; reachable: Set<string> } {
  const imageLabels = gcLabels(db, 'image_labels', 'name')
  const contentLabels = gcLabels(db, 'content_labels', 'digest')
  const images = (
    db.prepare('SELECT namespace, name, target_digest FROM images').raw().all() as [string, string, string][]
  ).map(([namespace, name, target]) => ({ namespace, name, target }))
  const content = (
    db.prepare('SELECT namespace, digest, size FROM content').raw().all() as [string, string, number][]
  ).map(([namespace, digest, size]) => ({ namespace, digest, size }))
  const leaseRows = db.prepare('SELECT namespace, id, labels FROM leases').raw().all() as [
    string,
    string,
    string,
  ][]
  const resources = db.prepare('SELECT namespace, lease, kind, key FROM lease_resources').raw().all() as [
    string,
    string,
    string,
    string,
  ][]
  const ingestRows = db
    .prepare('SELECT namespace, ref, backend_ref, expected, lease, expires_at FROM ingests')
    .raw()
    .all() as [string, string, string, string | null, string | null, number | null][]

  const roots: string[] = []
  const brefs = new Map<string, string[]>()
  const targets = new Map<string, string>()

  // Leases: live until a parseable gc.expire passes; they root their resources directly.
  const liveLeases = new Map<string, boolean>() // ns\0id -> flat
  for (const [ns, leaseId, json] of leaseRows) {
    const labels = parseLabels(json)
    const exp = Object.hasOwn(labels, LABEL_GC_EXPIRE)
      ? parseRFC3339(String(labels[LABEL_GC_EXPIRE]))
      : undefined
    if (exp !== undefined && now > exp) continue
    liveLeases.set(`${ns}\0${leaseId}`, Object.hasOwn(labels, LABEL_GC_FLAT))
    roots.push(id('lease', ns, leaseId))
  }
  for (const [ns, lease, kind, key] of resources) {
    const flat = liveLeases.get(`${ns}\0${lease}`)
    if (flat === undefined) continue
    if (kind === 'content') roots.push(id(flat ? 'content-flat' : 'content', ns, key))
    else if (kind === 'image') roots.push(id(flat ? 'image-flat' : 'image', ns, key))
    else if (kind === 'ingest') roots.push(id('ingest', ns, key))
  }

  // Images are roots unless a parseable gc.expire has passed; an expired one may still be kept by
  // a reference, and its back references then apply.
  for (const img of images) {
    const node = id('image', img.namespace, img.name)
    targets.set(node, img.target)
    const labels = imageLabels.get(`${img.namespace}\0${img.name}`)
    const expLabel = labels?.find(([k]) => k === LABEL_GC_EXPIRE)
    const exp = expLabel ? parseRFC3339(expLabel[1]) : undefined
    if (exp === undefined || !(now > exp)) roots.push(node)
    else backRefs(img.namespace, labels, node, brefs)
  }

  // Ingests: rooted by a live lease (its row's lease column or a lease resource) or by an expiry
  // still in the future. One with neither (no expiry, no lease) is collectible, as upstream.
  const expected = new Map<string, string>()
  for (const [ns, ref, , exp, lease, expiresAt] of ingestRows) {
    const node = id('ingest', ns, ref)
    if (exp) expected.set(node, exp)
    if (lease !== null && liveLeases.has(`${ns}\0${lease}`)) roots.push(node)
    else if (expiresAt !== null && !(now > expiresAt)) roots.push(node)
  }

  for (const c of content) {
    const node = id('content', c.namespace, c.digest)
    const labels = contentLabels.get(`${c.namespace}\0${c.digest}`)
    if (labels?.some(([k]) => k.startsWith(LABEL_GC_ROOT))) roots.push(node)
    backRefs(c.namespace, labels, node, brefs)
  }

  const refs = (node: string): string[] => {
    const out = [...(brefs.get(node) ?? [])]
    const [type, ns, key] = splitId(node)
    switch (type) {
      case 'content':
        labelRefs(ns, contentLabels.get(`${ns}\0${key}`), out)
        break
      case 'image':
      case 'image-flat': {
        const target = targets.get(id('image', ns, key))
        if (target !== undefined) out.push(id(type === 'image' ? 'content' : 'content-flat', ns, target))
        if (type === 'image') labelRefs(ns, imageLabels.get(`${ns}\0${key}`), out)
        break
      }
      case 'ingest': {
        const exp = expected.get(node)
        if (exp) out.push(id('content', ns, exp))
        break
      }
    }
    return out
  }

  // Tri-colour marking; seen keeps flat and full variants apart so a full reference still walks on.
  const seen = new Set<string>(roots)
  const grays = [...seen]
  const reachable = new Set<string>()
  while (grays.length > 0) {
    const node = grays.pop() as string
    for (const r of refs(node)) {
      if (!seen.has(r)) {
        seen.add(r)
        grays.push(r)
      }
    }
    reachable.add(node.replace(/^(content|image)-flat\0/, '$1\0'))
  }

  const graph: Graph = {
    images,
    content,
    leases: leaseRows.map(([namespace, leaseId]) => ({ namespace, id: leaseId })),
    ingests: ingestRows.map(([namespace, ref, backendRef, exp]) => ({
      namespace,
      ref,
      backendRef,
      expected: exp,
    })),
  }
  return { graph, reachable }
}
