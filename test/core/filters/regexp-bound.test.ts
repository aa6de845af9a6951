// A `~=` pattern is searched for in every candidate value, at a cost that grows with the size of its
// compiled program: patterns over MAX_REGEXP_PROGRAM are refused when the filter is parsed, with a
// message that says so and a position the app's filter box can mark. Patterns that do not compile
// at all still parse and never match, as in containerd.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RE2JS } from 're2js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKind } from '../../../src-main/core/errors'
import { MAX_REGEXP_PROGRAM, parseAll, regexpSearch } from '../../../src-main/core/filters'
import { openBerth, type Berth } from '../../../src-main/service/berth'
import { listImages } from '../../../src-main/service/images-list'
import { digestOf } from '../../../src-main/core/digest'

const HUGE = '(a|b|c|d){1000}'
const FILTER = `labels.env==prod,name~=/${HUGE}/`

function error(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

describe('regular expression program size', () => {
  it('a pattern over the bound is an InvalidArgument naming its size and the limit', () => {
    expect(RE2JS.compile(HUGE).programSize()).toBeGreaterThan(MAX_REGEXP_PROGRAM)
    const e = error(() => parseAll(FILTER))
    expect(isKind(e, 'invalid-argument')).toBe(true)
    expect(e.message).toMatch(/too complex/)
    expect(e.message).toContain(String(MAX_REGEXP_PROGRAM))
    expect(e.message).toContain(`>|/|< ${HUGE}/]`)
  })

  it('patterns people write stay well inside it; one that does not compile parses and never matches', () => {
    for (const p of ['^docker[.]io', '(?i)[a-z0-9._-]{1,200}@sha256:[0-9a-f]{64}', '[0-9a-f]{64}']) {
      expect(() => parseAll(`name~=/${p}/`)).not.toThrow()
    }
    expect(() => parseAll('name~=/(unclosed/')).not.toThrow()
    expect(regexpSearch('(unclosed')('(unclosed')).toBe(false)
    // Outside a parse (matchValue on a hand-made selector) an oversized pattern never matches either.
    expect(regexpSearch(HUGE)('abcd'.repeat(250))).toBe(false)
  })

  describe('through the image store and the app', () => {
    let dir: string
    let b: Berth
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'berth-re-'))
      b = openBerth({ root: dir })
      b.images.create('default', {
        name: 'abcd'.repeat(250),
        labels: { env: 'prod' },
        target: { mediaType: 'm/t', digest: digestOf('x'), size: 1 },
      })
    })
    afterAll(() => {
      b.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('the store refuses the list; the app marks the pattern in the filter box', async () => {
      expect(
        isKind(
          error(() => b.images.list('default', FILTER)),
          'invalid-argument',
        ),
      ).toBe(true)
      const page = await listImages(b, { namespace: 'default', filter: FILTER })
      expect(page.items).toEqual([])
      expect(page.filterError?.message).toMatch(/too complex/)
      expect(page.filterError?.position).toBe(FILTER.indexOf('/'))
    })
  })
})
