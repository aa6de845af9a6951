// A long list (search results, a comparison) read in pages as it scrolls: rows arrive when they come into
// view, and an answer to an earlier question (another search) never lands in the list of the current one.
export interface Paged<T> {
  total: number
  items: T[]
}

export class PagedRows<T> {
  total = -1
  private pages = new Map<number, T[]>()
  private loading = new Set<number>()
  private generation = 0

  constructor(
    private load: (offset: number, limit: number) => Promise<Paged<T>>,
    private readonly changed: () => void,
    private readonly onerror: (e: unknown) => void = () => {},
    readonly pageSize = 200,
  ) {}

  /** A new question: drops every page and asks for the first one. */
  reset(load?: (offset: number, limit: number) => Promise<Paged<T>>): void {
    if (load) this.load = load
    this.generation++
    this.pages = new Map()
    this.loading = new Set()
    this.total = -1
    this.fetch(0)
  }

  at(i: number): T | undefined {
    const page = Math.floor(i / this.pageSize)
    const item = this.pages.get(page)?.[i % this.pageSize]
    if (!item) this.fetch(page)
    return item
  }

  private fetch(page: number): void {
    if (this.pages.has(page) || this.loading.has(page)) return
    if (this.total >= 0 && page * this.pageSize >= this.total) return
    const gen = this.generation
    this.loading.add(page)
    this.load(page * this.pageSize, this.pageSize).then(
      (r) => {
        if (gen !== this.generation) return
        this.loading.delete(page)
        this.pages.set(page, r.items)
        this.total = r.total
        this.changed()
      },
      (e) => {
        if (gen !== this.generation) return
        this.loading.delete(page)
        this.onerror(e)
      },
    )
  }
}
