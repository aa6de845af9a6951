// Handler combinators and the two traversals (sequential walk, concurrent dispatch) over an image's
// descriptor graph, as containerd's core/images/handlers.go defines them.
import { invalidArgument } from '../errors'
import type { Descriptor } from '../oci'
import { Semaphore } from '../semaphore'
import { isIndexType } from './mediatypes'

/**
 * Maps a descriptor to the descriptors to visit next. `signal` is aborted when a dispatch is being
 * cancelled, so long-running handlers can stop early.
 */
export type Handler = (desc: Descriptor, signal?: AbortSignal) => Promise<Descriptor[]>

/** Compared by identity (isSentinel), like Go's errors.Is; not frozen, since error tooling annotates errors. */
function sentinel(message: string): Error {
  return new Error(message)
}

/** Thrown by a handler: do not descend into this descriptor's children; siblings continue. */
export const ErrSkipDesc: Error = sentinel('skip descriptor')
/** Thrown by a handler inside handlers(...): stop the chain for this descriptor, keep what was collected. */
export const ErrStopHandler: Error = sentinel('stop handler')
/** Thrown by walkNotEmpty when no handler call produced a child (everything was filtered out). */
export const ErrEmptyWalk: Error = sentinel('image might be filtered out')

/** Like Go's errors.Is: the sentinel itself, or an error that wraps it through `cause`. */
export function isSentinel(e: unknown, s: Error): boolean {
  for (let cur = e, i = 0; cur !== undefined && cur !== null && i < 100; i++) {
    if (cur === s) return true
    cur = cur instanceof Error ? cur.cause : undefined
  }
  return false
}

export const isSkipDesc = (e: unknown): boolean => isSentinel(e, ErrSkipDesc)
export const isStopHandler = (e: unknown): boolean => isSentinel(e, ErrStopHandler)
export const isEmptyWalk = (e: unknown): boolean => isSentinel(e, ErrEmptyWalk)

/**
 * Deepest index nesting a walk accepts. Real images nest one or two levels; content that nests deeper is
 * crafted, and would otherwise cost unbounded recursion.
 */
export const MAX_INDEX_DEPTH = 32

/** Runs the handlers in order and concatenates their children; ErrStopHandler ends the chain early. */
export function handlers(...hs: Handler[]): Handler {
  return async (desc, signal) => {
    const all: Descriptor[] = []
    for (const h of hs) {
      try {
        all.push(...((await h(desc, signal)) ?? []))
      } catch (e) {
        if (isStopHandler(e)) break
        throw e
      }
    }
    return all
  }
}

/** The descriptors from the root down to (not including) the one being visited. */
interface Path {
  digests: readonly string[]
  indexes: number
}

const ROOT: Path = { digests: [], indexes: 0 }

/** Refuses a reference cycle or absurd nesting before the handler for `desc` runs. */
function enter(path: Path, desc: Descriptor): Path {
  if (desc.digest && path.digests.includes(desc.digest)) {
    throw invalidArgument(
      `reference cycle: ${desc.digest} refers to itself through ${[...path.digests, desc.digest].join(' -> ')}`,
    )
  }
  const indexes = path.indexes + (isIndexType(desc.mediaType) ? 1 : 0)
  if (indexes > MAX_INDEX_DEPTH) {
    throw invalidArgument(`index ${desc.digest} is nested deeper than ${MAX_INDEX_DEPTH} levels`)
  }
  return { digests: [...path.digests, desc.digest], indexes }
}

/** Sequential depth-first pre-order walk. ErrSkipDesc skips a node's children; other errors abort. */
export async function walk(h: Handler, ...descs: Descriptor[]): Promise<void> {
  await walkFrom(h, descs, ROOT)
}

async function walkFrom(h: Handler, descs: Descriptor[], path: Path): Promise<void> {
  for (const desc of descs) {
    const here = enter(path, desc)
    let kids: Descriptor[]
    try {
      kids = (await h(desc)) ?? []
    } catch (e) {
      if (isSkipDesc(e)) continue
      throw e
    }
    if (kids.length > 0) await walkFrom(h, kids, here)
  }
}

/** walk, but ErrEmptyWalk when no handler call returned a child. */
export async function walkNotEmpty(h: Handler, ...descs: Descriptor[]): Promise<void> {
  let empty = true
  await walk(
    async (desc, signal) => {
      const kids = (await h(desc, signal)) ?? []
      if (kids.length > 0) empty = false
      return kids
    },
    ...descs,
  )
  if (empty) throw ErrEmptyWalk
}

/**
 * Hands each descriptor (by digest and media type) to `h` once per walk; later visits get no children.
 * containerd's Walk revisits shared entries, which turns an index listing one manifest N times, that
 * manifest listing one layer N times, into N² visits from a few hundred kilobytes of JSON. `seen` holds
 * what was visited, for callers that need it afterwards.
 */
export function visitOnce(h: Handler, seen: Set<string> = new Set()): Handler {
  return async (desc, signal) => {
    const key = `${desc.mediaType} ${desc.digest}`
    if (seen.has(key)) return []
    seen.add(key)
    return h(desc, signal)
  }
}

/**
 * Fails with InvalidArgument once the handler has returned more than `max` children in total: however
 * shared entries are deduplicated, a crafted graph can still name millions of descriptors.
 */
export function capDescriptors(h: Handler, max: number, what: string): Handler {
  let total = 0
  return async (desc, signal) => {
    const kids = (await h(desc, signal)) ?? []
    total += kids.length
    if (total > max) {
      throw invalidArgument(
        `${what} names more than ${max} descriptors across its indexes and manifests; refusing it as too complex`,
      )
    }
    return kids
  }
}

interface DispatchRun {
  h: Handler
  sem: Semaphore | undefined
  ac: AbortController
  failed: boolean
  firstError: unknown
}

/**
 * Runs the handler on sibling descriptors concurrently and recurses into each one's children inside its
 * own task. `limit` bounds concurrently running handler calls (undefined or ≤ 0: unbounded); a permit is
 * released as soon as the handler returns, before the children are dispatched. The first error aborts the
 * signal handed to every handler, no new handler starts, and that error is thrown once every started task
 * has settled. ErrSkipDesc only prunes that descriptor's children.
 */
export async function dispatch(h: Handler, limit: number | undefined, ...descs: Descriptor[]): Promise<void> {
  const bounded = limit !== undefined && limit > 0 && limit !== Infinity
  if (limit !== undefined && (Number.isNaN(limit) || (bounded && !Number.isInteger(limit)))) {
    throw invalidArgument(`dispatch limit ${limit} is not a whole number`)
  }
  const run: DispatchRun = {
    h,
    sem: bounded ? new Semaphore(limit) : undefined,
    ac: new AbortController(),
    failed: false,
    firstError: undefined,
  }
  await dispatchLevel(run, descs, ROOT)
  if (run.failed) throw run.firstError
}

function fail(run: DispatchRun, e: unknown): void {
  if (run.failed) return
  run.failed = true
  run.firstError = e
  run.ac.abort(e)
}

async function dispatchLevel(run: DispatchRun, descs: Descriptor[], path: Path): Promise<void> {
  const signal = run.ac.signal
  const tasks: Promise<void>[] = []
  for (const desc of descs) {
    if (run.sem) {
      try {
        await run.sem.acquire(signal)
      } catch {
        break // aborted: the first error is already recorded
      }
      // A permit can be granted in the same turn as the abort; the abort wins.
      if (signal.aborted) {
        run.sem.release()
        break
      }
    } else if (signal.aborted) {
      break
    }
    tasks.push(dispatchOne(run, desc, path))
  }
  await Promise.all(tasks)
}

/** One descriptor's task; it never rejects, failures are recorded on the run. */
async function dispatchOne(run: DispatchRun, desc: Descriptor, path: Path): Promise<void> {
  let kids: Descriptor[]
  let here: Path
  try {
    here = enter(path, desc)
    kids = (await run.h(desc, run.ac.signal)) ?? []
  } catch (e) {
    // Record the failure before freeing the permit, so no waiting sibling starts after it.
    if (!isSkipDesc(e)) fail(run, e)
    run.sem?.release()
    return
  }
  run.sem?.release()
  if (kids.length > 0 && !run.ac.signal.aborted) await dispatchLevel(run, kids, here)
}
