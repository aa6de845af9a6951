// The Files tab's tree as rows: directories open in place, their entries arrive in pages as they scroll into
// view, and row i of the flattened tree is found by walking the open directories' sizes — never by
// building a list of every row, so a directory of 100,000 entries costs what the screen shows.
import type { FileEntry, FilePage } from '../../../src-preload/api'

export type DirLoader = (dir: string, offset: number, limit: number) => Promise<FilePage>

export interface DirNode {
  path: string
  parent: DirNode | null
  /** Entries in the directory; -1 until its first page arrives. */
  total: number
  pages: Map<number, FileEntry[]>
  loading: Set<number>
  /** Open subdirectories by their position among this directory's entries, in order. */
  open: { index: number; node: DirNode }[]
  /** Rows this directory's contents take, open subdirectories included. */
  size: number
}

export interface Row {
  /** Undefined while its page loads. */
  entry: FileEntry | undefined
  depth: number
  dir: DirNode
  index: number
}

const node = (path: string, parent: DirNode | null): DirNode => ({
  path,
  parent,
  total: -1,
  pages: new Map(),
  loading: new Set(),
  open: [],
  size: 0,
})

export class FileTreeModel {
  root: DirNode = node('/', null)

  constructor(
    private readonly load: DirLoader,
    private readonly changed: () => void,
    private readonly onerror: (e: unknown) => void = () => {},
    readonly pageSize = 200,
  ) {}

  get count(): number {
    return this.root.size
  }

  /** Starts over (another view, another tree): answers for the old root are dropped. */
  reset(): void {
    this.root = node('/', null)
    this.fetch(this.root, 0)
  }

  start(): void {
    if (this.root.total < 0) this.fetch(this.root, 0)
  }

  row(i: number): Row | undefined {
    let dir = this.root
    let depth = 0
    let r = i
    if (r < 0 || r >= dir.size) return undefined
    for (;;) {
      let cursor = 0
      let descended = false
      for (const o of dir.open) {
        const before = o.index - cursor + 1
        if (r < before) return this.plain(dir, cursor + r, depth)
        r -= before
        if (r < o.node.size) {
          dir = o.node
          depth++
          descended = true
          break
        }
        r -= o.node.size
        cursor = o.index + 1
      }
      if (!descended) return this.plain(dir, cursor + r, depth)
    }
  }

  private plain(dir: DirNode, index: number, depth: number): Row {
    const page = Math.floor(index / this.pageSize)
    const entry = dir.pages.get(page)?.[index % this.pageSize]
    if (!entry) this.fetch(dir, page)
    return { entry, depth, dir, index }
  }

  isOpen(dir: DirNode, index: number): boolean {
    return dir.open.some((o) => o.index === index)
  }

  toggle(row: Row): void {
    if (row.entry?.type !== 'dir') return
    if (this.isOpen(row.dir, row.index)) this.close(row.dir, row.index)
    else this.openDir(row.dir, row.index, row.entry.path)
  }

  openDir(dir: DirNode, index: number, path: string): void {
    if (this.isOpen(dir, index)) return
    const child = node(path, dir)
    dir.open.push({ index, node: child })
    dir.open.sort((a, b) => a.index - b.index)
    this.fetch(child, 0)
  }

  close(dir: DirNode, index: number): void {
    dir.open = dir.open.filter((o) => o.index !== index)
    this.resize(dir)
    this.changed()
  }

  /** The row index of a directory's entry, or -1 when a directory above it is closed. */
  indexOf(dir: DirNode, index: number): number {
    const within = (d: DirNode, i: number) =>
      i + d.open.filter((o) => o.index < i).reduce((n, o) => n + o.node.size, 0)
    let row = within(dir, index)
    for (let d = dir; d.parent; d = d.parent) {
      const at = d.parent.open.find((o) => o.node === d)
      if (!at) return -1
      row += within(d.parent, at.index) + 1
    }
    return this.attached(dir) ? row : -1
  }

  private attached(d: DirNode): boolean {
    for (let n: DirNode | null = d; n; n = n.parent) {
      if (n === this.root) return true
      if (!n.parent?.open.some((o) => o.node === n)) return false
    }
    return false
  }

  private fetch(dir: DirNode, page: number): void {
    if (dir.pages.has(page) || dir.loading.has(page)) return
    if (dir.total >= 0 && page * this.pageSize >= dir.total) return
    dir.loading.add(page)
    this.load(dir.path, page * this.pageSize, this.pageSize).then(
      (p) => {
        dir.loading.delete(page)
        if (!this.attached(dir)) return
        dir.pages.set(page, p.entries)
        if (dir.total !== p.total) {
          dir.total = p.total
          this.resize(dir)
        }
        this.changed()
      },
      (e) => {
        dir.loading.delete(page)
        if (this.attached(dir)) this.onerror(e)
      },
    )
  }

  private resize(from: DirNode): void {
    for (let d: DirNode | null = from; d; d = d.parent) {
      d.size = Math.max(0, d.total) + d.open.reduce((n, o) => n + o.node.size, 0)
    }
  }
}
