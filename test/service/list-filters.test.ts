// The service's filtered reads against the filter judged in JavaScript on every image, containerd's
// semantics in the core without any SQL: on random images and random filter strings (ORed, with every
// operator, quoted keys, anchored and unanchored regexps, ones that do not compile, prototype-looking
// fields), images.list's items and total, listImageNames and the image store's own List name exactly
// the same images, in the same byte order. Plus what a list answer says about a
// selector that can never match, and each platform's size as ctr adds it up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBlob } from '../../src-main/core/content/store'
import { isKind } from '../../src-main/core/errors'
import { parseAll } from '../../src-main/core/filters'
import { adaptImage } from '../../src-main/core/images/store-filter'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { listImageNames, listImages } from '../../src-main/service/images-list'
import { multiPlatformImage, singlePlatformImage } from '../fixtures/images'

const NS = 'default'
const DIGESTS = ['a', 'b', 'c'].map((c) => `sha256:${c.repeat(64)}`)
const NAMES = [
  'docker.io/library/app:1',
  'docker.io/library/app:2',
  'ghcr.io/x/tool:v1',
  'Z-name',
  'é/ü:1',
  'a,b',
]

let dir: string
let berth: Berth

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-filters-'))
  berth = openBerth({ root: dir, host: { os: 'linux', architecture: 'amd64' } })
})
afterAll(() => {
  berth.close()
  rmSync(dir, { recursive: true, force: true })
})

const value = fc.constantFrom('prod', 'dev', '', 'a.b', 'x"y', 'é')
const image = fc.record({
  name: fc.constantFrom(...NAMES),
  digest: fc.constantFrom(...DIGESTS),
  mediaType: fc.constantFrom(
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
  ),
  labels: fc.dictionary(fc.constantFrom('env', 'a.b', 'containerd.io/gc.root', '__proto__', 'team'), value, {
    maxKeys: 3,
  }),
  annotations: fc.dictionary(fc.constantFrom('org.opencontainers.image.ref.name', 'k'), value, {
    maxKeys: 2,
  }),
})
const field = fc.constantFrom(
  'name',
  'target.digest',
  'target.mediatype',
  'labels.env',
  'labels."a.b"',
  'labels.a.b',
  'labels."containerd.io/gc.root"',
  'labels.__proto__',
  'annotations.k',
  'target.constructor',
  'target',
  'createdat',
)
const operand = fc.oneof(
  fc.constantFrom('prod', 'dev', 'app', 'docker.io/library/app:1', 'Z-name', DIGESTS[0], 'tool', 'é'),
  fc.constantFrom('"a.b"', '"x\\"y"', '"a,b"', '""'),
)
const regexp = fc.constantFrom(
  '^docker',
  '^docker.io/l',
  '^ghcr\\.io',
  '^Z?-',
  '^app*',
  '^é',
  '^(?i)D',
  '^p|d',
  '^x\\wz',
  'app',
  '(?i)z-',
  '/[0-9]$/',
  '/(/',
  '/x**/',
  'prod',
  '"^$"',
  '/\\\\.io/',
)
const selector = fc.oneof(
  field,
  fc.tuple(field, fc.constantFrom('==', '!='), operand).map(([f, o, v]) => `${f}${o}${v}`),
  fc.tuple(field, regexp).map(([f, r]) => `${f}~=${r}`),
)
const filterString = fc.oneof(
  { weight: 8, arbitrary: fc.array(selector, { minLength: 1, maxLength: 3 }).map((s) => s.join(',')) },
  { weight: 1, arbitrary: fc.constant('') },
)

describe('filtered reads equal the image store List', () => {
  it('on random images and filters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(image, { maxLength: 6, selector: (i) => i.name }),
        fc.array(filterString, { maxLength: 3 }),
        async (images, filters) => {
          berth.db.exec('DELETE FROM images')
          for (const i of images)
            berth.images.create(NS, {
              name: i.name,
              labels: i.labels,
              target: { mediaType: i.mediaType, digest: i.digest, size: 10, annotations: i.annotations },
            })
          // The reference judges every image in JavaScript: no SQL planner is involved.
          let want: string[]
          try {
            const f = parseAll(...filters)
            want = berth.images
              .list(NS)
              .filter((i) => f.match(adaptImage(i)))
              .map((i) => i.name)
            expect(berth.images.list(NS, ...filters).map((i) => i.name)).toEqual(want)
          } catch (e) {
            expect(isKind(e, 'invalid-argument')).toBe(true)
            expect(() => listImageNames(berth, NS, filters)).toThrow(/parse error/)
            const page = await listImages(berth, { namespace: NS, filters })
            expect(page.filterError?.message).toMatch(/parse error/)
            return
          }
          expect(listImageNames(berth, NS, filters)).toEqual(want)
          const page = await listImages(berth, { namespace: NS, filters, limit: 100 })
          expect(page.items.map((i) => i.name)).toEqual(want)
          expect(page.total).toBe(want.length)
          expect(page.namespaceTotal).toBe(images.length)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('ORs the renderer filter with the CLI filters', async () => {
    berth.db.exec('DELETE FROM images')
    for (const name of NAMES)
      berth.images.create(NS, { name, labels: {}, target: { mediaType: 'x', digest: DIGESTS[0], size: 1 } })
    const page = await listImages(berth, { namespace: NS, filter: 'name==Z-name', filters: ['name~=^ghcr'] })
    expect(page.items.map((i) => i.name)).toEqual(['Z-name', 'ghcr.io/x/tool:v1'])
  })
})

describe('filter warnings', () => {
  it('names the ~= selector whose regexp does not compile, which matches nothing', async () => {
    berth.db.exec('DELETE FROM images')
    berth.images.create(NS, {
      name: 'app:1',
      labels: {},
      target: { mediaType: 'x', digest: DIGESTS[0], size: 1 },
    })
    const page = await listImages(berth, { namespace: NS, filter: 'name~=/(/' })
    expect(page.items).toEqual([])
    expect(page.filterError).toBeUndefined()
    expect(page.filterWarnings).toEqual([
      {
        expression: 'name~=(',
        message: 'name~=( matches nothing: error parsing regexp: missing closing ): `(`',
      },
    ])
    // Another alternative still lists what it matches; the warning stays.
    const either = await listImages(berth, { namespace: NS, filters: ['name~=/(/', 'name==app:1'] })
    expect(either.items.map((i) => i.name)).toEqual(['app:1'])
    expect(either.filterWarnings).toHaveLength(1)
    expect((await listImages(berth, { namespace: NS, filter: 'name~=app' })).filterWarnings).toBeUndefined()
  })
})

describe('platform sizes', () => {
  it('are what ctr adds up for a platform: the manifest, its config and its layers', async () => {
    const multi = multiPlatformImage({ name: 'sz', platforms: ['linux/amd64', 'linux/arm64'] })
    const single = singlePlatformImage({ seed: 'sz1', platform: 'linux/arm64' })
    // One layer of arm64 is missing: the size is the descriptors' all the same, as Image.Size's.
    const missing = multi.images[1].layers[0].desc.digest
    for (const fx of [multi, single])
      for (const [digest, data] of fx.blobs)
        if (digest !== missing)
          await writeBlob(berth.content, NS, `r-${digest}`, data, {
            digest,
            size: data.length,
            mediaType: 'x',
          })
    berth.images.create(NS, { name: 'sz:multi', labels: {}, target: multi.target })
    berth.images.create(NS, { name: 'sz:single', labels: {}, target: single.target })
    const page = await listImages(berth, { namespace: NS, query: 'sz:' })
    const byName = new Map(page.items.map((i) => [i.name, i]))
    const expected = (p: (typeof multi.images)[number]) =>
      p.manifest.desc.size + p.config.desc.size + p.layers.reduce((a, l) => a + l.desc.size, 0)
    expect(byName.get('sz:multi')?.platforms.map((c) => [c.platform, c.status, c.size])).toEqual([
      ['linux/amd64', 'present', expected(multi.images[0])],
      ['linux/arm64', 'partial', expected(multi.images[1])],
    ])
    expect(byName.get('sz:single')?.platforms.map((c) => c.size)).toEqual([expected(single.images[0])])
  })
})
