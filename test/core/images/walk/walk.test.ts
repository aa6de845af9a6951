// Handler combinators and the two traversals: order, sentinels, concurrency bound, cancellation, cycles.
import { describe, expect, it } from 'vitest'
import { isKind, notFound } from '../../../../src-main/core/errors'
import {
  dispatch,
  ErrEmptyWalk,
  ErrSkipDesc,
  ErrStopHandler,
  handlers,
  isSkipDesc,
  MAX_INDEX_DEPTH,
  walk,
  walkNotEmpty,
  type Handler,
} from '../../../../src-main/core/images/handlers'
import { wrap } from '../../../../src-main/core/errors'
import type { Descriptor } from '../../../../src-main/core/oci'
import { MediaTypeOCIIndex } from '../../../../src-main/core/oci'

const d = (name: string, mediaType = 'test/node'): Descriptor => ({ mediaType, digest: name, size: 1 })

/** A tree by name: a → [b, c], b → [d, e], c → [f]. */
const TREE: Record<string, string[]> = { a: ['b', 'c'], b: ['d', 'e'], c: ['f'] }
const treeHandler =
  (visit: string[], tree = TREE): Handler =>
  async (desc) => {
    visit.push(desc.digest)
    return (tree[desc.digest] ?? []).map((n) => d(n))
  }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('handlers()', () => {
  it('concatenates the children of every handler in order', async () => {
    const h = handlers(
      async () => [d('x')],
      async () => [],
      async () => [d('y'), d('z')],
    )
    expect((await h(d('p'))).map((c) => c.digest)).toEqual(['x', 'y', 'z'])
  })

  it('ErrStopHandler ends the chain for that descriptor and keeps what was collected', async () => {
    const ran: string[] = []
    const h = handlers(
      async () => (ran.push('1'), [d('x')]),
      async () => {
        ran.push('2')
        throw ErrStopHandler
      },
      async () => (ran.push('3'), [d('y')]),
    )
    expect((await h(d('p'))).map((c) => c.digest)).toEqual(['x'])
    expect(ran).toEqual(['1', '2'])
  })

  it('ErrStopHandler is recognised when wrapped, like errors.Is', async () => {
    const h = handlers(
      async () => [d('x')],
      async () => {
        throw wrap(ErrStopHandler, 'context')
      },
    )
    expect((await h(d('p'))).map((c) => c.digest)).toEqual(['x'])
  })

  it('any other error fails the chain', async () => {
    const h = handlers(
      async () => [d('x')],
      async () => {
        throw notFound('nope')
      },
    )
    await expect(h(d('p'))).rejects.toSatisfy((e) => isKind(e, 'not-found'))
  })
})

describe('walk()', () => {
  it('is depth-first pre-order over all roots', async () => {
    const visit: string[] = []
    await walk(treeHandler(visit), d('a'), d('g'))
    expect(visit).toEqual(['a', 'b', 'd', 'e', 'c', 'f', 'g'])
  })

  it('ErrSkipDesc skips the children only, siblings continue', async () => {
    const visit: string[] = []
    const base = treeHandler(visit)
    await walk(async (desc) => {
      const kids = await base(desc)
      if (desc.digest === 'b') throw ErrSkipDesc
      return kids
    }, d('a'))
    expect(visit).toEqual(['a', 'b', 'c', 'f'])
  })

  it('ErrStopHandler outside handlers() is an ordinary error for walk', async () => {
    await expect(
      walk(async () => {
        throw ErrStopHandler
      }, d('a')),
    ).rejects.toBe(ErrStopHandler)
  })

  it('any other error aborts the walk', async () => {
    const visit: string[] = []
    const base = treeHandler(visit)
    await expect(
      walk(async (desc) => {
        if (desc.digest === 'e') throw notFound('e is missing')
        return base(desc)
      }, d('a')),
    ).rejects.toThrow('e is missing')
    expect(visit).toEqual(['a', 'b', 'd'])
  })

  it('refuses a reference cycle and names the digest', async () => {
    const h: Handler = async (desc) => (desc.digest === 'a' ? [d('b')] : desc.digest === 'b' ? [d('a')] : [])
    await expect(walk(h, d('a'))).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && /cycle.*\ba\b/.test((e as Error).message),
    )
  })

  it('allows the same digest as siblings or in separate branches (not a cycle)', async () => {
    const visit: string[] = []
    await walk(treeHandler(visit, { a: ['b', 'c'], b: ['x'], c: ['x', 'x'] }), d('a'))
    expect(visit).toEqual(['a', 'b', 'x', 'c', 'x', 'x'])
  })

  it(`refuses indexes nested deeper than ${MAX_INDEX_DEPTH} levels`, async () => {
    const chain =
      (depth: number): Handler =>
      async (desc) => {
        const n = Number(desc.digest.slice(1))
        return n < depth ? [d(`i${n + 1}`, MediaTypeOCIIndex)] : []
      }
    await walk(chain(MAX_INDEX_DEPTH), d('i1', MediaTypeOCIIndex))
    await expect(walk(chain(MAX_INDEX_DEPTH + 1), d('i1', MediaTypeOCIIndex))).rejects.toSatisfy(
      (e) => isKind(e, 'invalid-argument') && (e as Error).message.includes(`i${MAX_INDEX_DEPTH + 1}`),
    )
  })
})

describe('walkNotEmpty()', () => {
  it('fails with ErrEmptyWalk when no handler call produced a child', async () => {
    await expect(walkNotEmpty(async () => [], d('a'))).rejects.toBe(ErrEmptyWalk)
  })
  it('passes once any child was produced', async () => {
    const visit: string[] = []
    await walkNotEmpty(treeHandler(visit), d('a'))
    expect(visit).toHaveLength(6)
  })
  it('returns handler errors rather than ErrEmptyWalk', async () => {
    await expect(walkNotEmpty(async () => Promise.reject(notFound('x')), d('a'))).rejects.toThrow('x')
  })
})

describe('dispatch()', () => {
  /** A wide tree: root → 12 children, each → 3 grandchildren. */
  const wide: Record<string, string[]> = { root: Array.from({ length: 12 }, (_, i) => `c${i}`) }
  for (let i = 0; i < 12; i++) wide[`c${i}`] = [`c${i}.0`, `c${i}.1`, `c${i}.2`]

  const counting = () => {
    let running = 0
    let max = 0
    const seen: string[] = []
    const h: Handler = async (desc) => {
      running++
      max = Math.max(max, running)
      seen.push(desc.digest)
      await sleep(2)
      running--
      return (wide[desc.digest] ?? []).map((n) => d(n))
    }
    return { h, seen, max: () => max }
  }

  it('visits every descriptor', async () => {
    const c = counting()
    await dispatch(c.h, undefined, d('root'))
    expect(c.seen.sort()).toEqual(['root', ...Object.values(wide).flat()].sort())
  })

  it('runs siblings concurrently when unbounded', async () => {
    const c = counting()
    await dispatch(c.h, undefined, d('root'))
    expect(c.max()).toBeGreaterThanOrEqual(12)
  })

  it.each([1, 2, 3, 5])('never runs more than %i handlers at once', async (limit) => {
    const c = counting()
    await dispatch(c.h, limit, d('root'))
    expect(c.max()).toBe(limit)
    expect(c.seen).toHaveLength(1 + 12 + 36)
  })

  it('releases the permit before the children are dispatched (limit 1 does not deadlock)', async () => {
    const visit: string[] = []
    await dispatch(treeHandler(visit), 1, d('a'))
    expect(visit.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
  })

  it('swallows ErrSkipDesc and prunes only that subtree', async () => {
    const visit: string[] = []
    const base = treeHandler(visit)
    await dispatch(
      async (desc) => {
        const kids = await base(desc)
        if (desc.digest === 'b') throw ErrSkipDesc
        return kids
      },
      2,
      d('a'),
    )
    expect(visit.sort()).toEqual(['a', 'b', 'c', 'f'])
  })

  it('the first error cancels the rest: running handlers see the abort, no new handler starts', async () => {
    const started: string[] = []
    const aborted: string[] = []
    const boom = notFound('c3 is missing')
    const h: Handler = async (desc, signal) => {
      started.push(desc.digest)
      if (desc.digest === 'c3') {
        await sleep(1)
        throw boom
      }
      if (desc.digest.startsWith('c')) {
        // A slow handler that honours the signal.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 2000)
          signal?.addEventListener('abort', () => {
            clearTimeout(t)
            aborted.push(desc.digest)
            resolve()
          })
        })
        return [d(`${desc.digest}.0`)]
      }
      return (wide[desc.digest] ?? []).map((n) => d(n))
    }
    const t0 = Date.now()
    await expect(dispatch(h, 6, d('root'))).rejects.toBe(boom)
    expect(Date.now() - t0).toBeLessThan(1500)
    // Only the first 6 children got permits; the rest never started, and no grandchild ran.
    expect(started.filter((s) => s.startsWith('c')).length).toBe(6)
    expect(started.some((s) => s.includes('.'))).toBe(false)
    expect(aborted.length).toBe(5)
  })

  it('throws the first error even when later tasks fail too', async () => {
    const first = notFound('first')
    const h: Handler = async (desc, signal) => {
      if (desc.digest === 'root') return [d('x'), d('y')]
      if (desc.digest === 'x') throw first
      await new Promise((r) => signal?.addEventListener('abort', r))
      throw new Error('second')
    }
    await expect(dispatch(h, undefined, d('root'))).rejects.toBe(first)
  })

  it('refuses a cycle as walk does', async () => {
    const h: Handler = async (desc) => (desc.digest === 'a' ? [d('b')] : [d('a')])
    await expect(dispatch(h, 2, d('a'))).rejects.toSatisfy((e) => isKind(e, 'invalid-argument'))
  })

  it('isSkipDesc recognises the sentinel only', () => {
    expect(isSkipDesc(ErrSkipDesc)).toBe(true)
    expect(isSkipDesc(new Error('skip descriptor'))).toBe(false)
  })
})
