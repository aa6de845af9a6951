// Stacking layers into one filesystem, by the OCI image spec's rules (image-spec layer.md, "Applying
// Changesets"): layers apply bottom to top; a later entry replaces an earlier one at the same path (a
// directory over a directory keeps its children, anything else over a directory drops them); `.wh.NAME`
// removes NAME and everything under it, `.wh..wh..opq` hides what lower layers put in a directory — and
// whiteouts act only on lower layers, never on entries of their own layer, wherever they sit in the tar.
// A hardlink names an entry already unpacked (this layer or a lower one) and shares its bytes.
//
// The result is every version of every path with the layers it is visible in ([first, until)), which
// answers every view at once: the merged tree (until = layer count), the tree as of any layer, each
// layer's added / modified / removed entries, and the bytes no final path shows (wasted space).
import { invalidArgument } from '../errors'
import type { FileMeta, FileType, LayerEntry } from './entry'
import { baseOf, dirOf, joinPath } from './paths'

/** Not in the tar: a parent directory an unpacker creates (mode 0755, root-owned). */
export const FLAG_IMPLICIT = 1
/** Replaced a lower version of the same path (dive's "modified"). */
export const FLAG_MODIFIED = 2
/** Removed at `until` (whiteout, opaque directory, or its directory replaced) rather than replaced. */
export const FLAG_GONE = 4
/** A hardlink to nothing unpacked before it. */
export const FLAG_BROKEN = 8

export interface Version extends FileMeta {
  dir: string
  name: string
  /** Layer position that wrote it. */
  first: number
  /** Layer position that replaced or removed it; the layer count when it is in the merged tree. */
  until: number
  type: Exclude<FileType, 'whiteout' | 'opaque'>
  mtime: number
  flags: number
  /** Where the bytes are (a hardlink's are its target's): layer position and tar entry; -1 for none. */
  srcLayer: number
  srcSeq: number
}

export interface LayerChanges {
  /** Tar entries of the layer (whiteouts included). */
  entries: number
  /** Bytes of the layer's regular files. */
  fileBytes: number
  added: number
  modified: number
  removed: number
  addedBytes: number
  modifiedBytes: number
  removedBytes: number
}

export interface WastedPath {
  path: string
  /** File versions of this path that no final path shows. */
  versions: number
  bytes: number
  /** Layer positions that wrote them. */
  layers: number[]
}

export interface StackTotals {
  /** Entries of the merged tree. */
  entries: number
  /** Bytes of regular files across every layer: what dive's efficiency divides by. */
  allBytes: number
  wastedBytes: number
  /** 1 − wasted ÷ all file bytes across layers (1 for an image with no file bytes). */
  efficiency: number
}

export interface Stacked {
  /** Every version that was visible in some view, in no particular order. */
  versions: Version[]
  layers: LayerChanges[]
  /** Per layer position: the directories holding something that layer changed. */
  touched: Set<string>[]
  /** Biggest first. */
  wasted: WastedPath[]
  totals: StackTotals
}

export interface StackLimits {
  /** Most entries across all layers of one image. */
  maxEntries: number
}

export const DEFAULT_STACK_LIMITS: StackLimits = { maxEntries: 2_000_000 }

interface Node {
  version: Version | null
  /** Directories only. */
  children: Map<string, Node> | null
  /** Hardlinks: the version whose bytes they share. */
  data?: Version
}

const isDir = (n: Node): boolean => n.children !== null

export function stackLayers(layers: LayerEntry[][], limits: StackLimits = DEFAULT_STACK_LIMITS): Stacked {
  const total = layers.reduce((n, l) => n + l.length, 0)
  if (total > limits.maxEntries) {
    throw invalidArgument(
      `the image's layers hold ${total} entries together, more than ${limits.maxEntries}: refusing to stack them`,
    )
  }
  const top = layers.length
  const root: Node = { version: null, children: new Map() }
  const versions: Version[] = []
  const dropped = new Set<Version>()
  const links: Node[] = []
  const wasted = new Map<string, WastedPath>()
  const waste = (v: Version): void => {
    if (v.type !== 'file' || v.size === 0) return
    const path = joinPath(v.dir, v.name)
    const w = wasted.get(path) ?? { path, versions: 0, bytes: 0, layers: [] }
    w.versions++
    w.bytes += v.size
    if (!w.layers.includes(v.first)) w.layers.push(v.first)
    wasted.set(path, w)
  }

  const make = (
    e: Omit<LayerEntry, 'path' | 'type'> & { type: Version['type'] },
    dir: string,
    name: string,
    p: number,
  ) => {
    const v: Version = {
      dir,
      name,
      first: p,
      until: top,
      type: e.type,
      // Linux gives every symlink 0777 whatever its tar header says; that is what a container sees.
      mode: e.type === 'symlink' ? 0o777 : e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.type === 'file' ? e.size : 0,
      mtime: e.mtime,
      link: e.link,
      flags: 0,
      srcLayer: e.type === 'file' ? p : -1,
      srcSeq: e.type === 'file' ? e.seq : -1,
    }
    versions.push(v)
    return v
  }

  /** Ends a version at layer p: a version of this same layer was never visible, and just goes. */
  const end = (v: Version, p: number, gone: boolean): void => {
    if (v.first === p) {
      dropped.add(v)
      waste(v)
      return
    }
    v.until = p
    if (gone) v.flags |= FLAG_GONE
  }

  /** Removes everything below a directory node at layer p. */
  const clear = (dir: Node, p: number): void => {
    const stack = [...(dir.children?.values() ?? [])]
    dir.children?.clear()
    while (stack.length) {
      const n = stack.pop() as Node
      if (n.version) end(n.version, p, true)
      if (n.children) for (const c of n.children.values()) stack.push(c)
    }
  }

  const lookup = (path: string): Node | undefined => {
    if (path === '') return root
    let n: Node | undefined = root
    for (const part of path.split('/')) {
      n = n?.children?.get(part)
      if (!n) return undefined
    }
    return n
  }

  // Tars list a directory's entries together: the last directory found is usually the next one asked for.
  let lastDir: string | null = null
  let lastNode: Node = root
  /** The directory at `path`, creating missing parents (and replacing non-directories) as unpackers do. */
  const ensureDir = (path: string, p: number): Node => {
    if (path === '') return root
    if (path === lastDir) return lastNode
    let n = root
    let at = ''
    for (const part of path.split('/')) {
      const up = at
      at = joinPath(at, part)
      const children = n.children as Map<string, Node>
      let c = children.get(part)
      if (!c || !isDir(c)) {
        const v = make(
          { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, link: '', seq: -1 },
          up,
          part,
          p,
        )
        v.flags |= FLAG_IMPLICIT
        if (c?.version) {
          v.flags |= FLAG_MODIFIED
          end(c.version, p, false)
        }
        c = { version: v, children: new Map() }
        children.set(part, c)
      }
      n = c
    }
    lastDir = path
    lastNode = n
    return n
  }

  layers.forEach((entries, p) => {
    lastDir = null
    // Whiteouts first: they act on the layers below whatever their place in this layer's tar.
    for (const e of entries) {
      if (e.type === 'whiteout') {
        if (e.path === '') continue
        const parent = lookup(dirOf(e.path))
        const n = parent?.children?.get(baseOf(e.path))
        if (!parent || !n) continue
        if (n.version) end(n.version, p, true)
        clear(n, p)
        parent.children?.delete(baseOf(e.path))
      } else if (e.type === 'opaque') {
        const n = lookup(e.path)
        if (n && isDir(n)) clear(n, p)
      }
    }
    for (const e of entries) {
      if (e.type === 'whiteout' || e.type === 'opaque' || e.path === '') continue
      const dir = dirOf(e.path)
      const parent = ensureDir(dir, p)
      const name = baseOf(e.path)
      const v = make(e as LayerEntry & { type: Version['type'] }, dir, name, p)
      const old = parent.children?.get(name)
      if (old?.version) {
        // A duplicate in the same layer inherits whether the path was new to this layer.
        if (old.version.first === p) v.flags |= old.version.flags & FLAG_MODIFIED
        else v.flags |= FLAG_MODIFIED
        end(old.version, p, false)
      }
      let node: Node
      if (old && isDir(old) && v.type === 'dir') {
        node = old
        node.version = v
      } else {
        if (old) {
          clear(old, p)
          // The remembered directory may have been this node or below it.
          lastDir = null
        }
        node = { version: v, children: v.type === 'dir' ? new Map() : null }
        parent.children?.set(name, node)
      }
      if (v.type === 'hardlink') {
        const target = lookup(e.link)
        const data = target?.data ?? target?.version ?? undefined
        if (data && target !== node && (data.type === 'file' || data.type === 'hardlink')) {
          node.data = data
          v.size = data.size
          v.mode = data.mode
          v.uid = data.uid
          v.gid = data.gid
          v.mtime = data.mtime
          v.srcLayer = data.srcLayer
          v.srcSeq = data.srcSeq
          links.push(node)
        } else {
          v.flags |= FLAG_BROKEN
        }
      }
    }
  })

  // Bytes a visible hardlink still shows are not wasted, whatever became of the path they came from.
  const kept = new Set<Version>()
  for (const n of links) if (n.version && n.version.until === top && n.data) kept.add(n.data)
  const live = dropped.size === 0 ? versions : versions.filter((v) => !dropped.has(v))
  for (const v of live) if (v.until < top && !kept.has(v)) waste(v)

  const changes: LayerChanges[] = layers.map((entries) => ({
    entries: entries.length,
    fileBytes: entries.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0),
    added: 0,
    modified: 0,
    removed: 0,
    addedBytes: 0,
    modifiedBytes: 0,
    removedBytes: 0,
  }))
  const touched = layers.map(() => new Set<string>())
  const touch = (p: number, dir: string): void => {
    const set = touched[p]
    for (let d = dir; d !== '' && !set.has(d); d = dirOf(d)) set.add(d)
  }
  let visible = 0
  for (const v of live) {
    const bytes = v.type === 'file' ? v.size : 0
    const c = changes[v.first]
    if (v.flags & FLAG_MODIFIED) {
      c.modified++
      c.modifiedBytes += bytes
    } else {
      c.added++
      c.addedBytes += bytes
    }
    touch(v.first, v.dir)
    if (v.until < top && v.flags & FLAG_GONE) {
      changes[v.until].removed++
      changes[v.until].removedBytes += bytes
      touch(v.until, v.dir)
    }
    if (v.until === top) visible++
  }
  const allBytes = changes.reduce((n, c) => n + c.fileBytes, 0)
  const list = [...wasted.values()].sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
  const wastedBytes = list.reduce((n, w) => n + w.bytes, 0)
  return {
    versions: live,
    layers: changes,
    touched,
    wasted: list,
    totals: {
      entries: visible,
      allBytes,
      wastedBytes,
      efficiency: allBytes === 0 ? 1 : 1 - wastedBytes / allBytes,
    },
  }
}
