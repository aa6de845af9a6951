// Keys that are Object.prototype names — a label "__proto__", an annotation "__proto__", a namespace
// called "constructor" — are ordinary keys in every map the core and the service build: an assignment
// `m[key] = v` silently drops "__proto__" (it sets the prototype) and `m[key] ??=` finds "constructor".
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { writeBlob } from '../../src-main/core/content/store'
import { digestOf } from '../../src-main/core/digest'
import { gc } from '../../src-main/core/gc'
import { decodeManifest } from '../../src-main/core/images/documents'
import { openBerth, type Berth } from '../../src-main/service/berth'
import { labelChanges } from '../../src-main/cli/labels'
import { labelEdit, labelImage } from '../../src-main/service/labels'

let dir: string
let b: Berth
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-own-'))
  b = openBerth({ root: dir })
})
afterEach(() => {
  b.close()
  rmSync(dir, { recursive: true, force: true })
})

const PROTO = JSON.parse('{"__proto__": "p"}') as Record<string, string>

it('`berth images label NAME __proto__=p` sets a label called __proto__', () => {
  expect(Object.keys(labelChanges(['__proto__=p', 'constructor=c']))).toEqual(['__proto__', 'constructor'])
  expect(labelEdit({ ...PROTO }).labels).toEqual(PROTO)
  expect(Object.keys(labelEdit({ ...PROTO }).labels)).toEqual(['__proto__'])
  b.images.create('default', {
    name: 'x',
    labels: {},
    target: { mediaType: 'm/t', digest: digestOf('x'), size: 1 },
  })
  labelImage(b, 'default', 'x', labelChanges(['__proto__=p']))
  expect(Object.keys(b.images.get('default', 'x').labels)).toEqual(['__proto__'])
})

it('content labels called __proto__ survive update, info and listing', async () => {
  const data = Buffer.from('blob')
  const digest = digestOf(data)
  await writeBlob(b.content, 'default', 'r', data, { mediaType: 'm/t', digest, size: 4 })
  await b.content.update('default', { digest, labels: PROTO }, 'labels.__proto__')
  expect(Object.keys((await b.content.info('default', digest)).labels)).toEqual(['__proto__'])
  const walked: string[][] = []
  await b.content.walk('default', (i) => void walked.push(Object.keys(i.labels)))
  expect(walked).toEqual([['__proto__']])
})

it('a manifest annotation called __proto__ is decoded as an annotation', () => {
  const m = decodeManifest(
    JSON.parse(
      `{"schemaVersion":2,"config":{"mediaType":"m/c","digest":"${digestOf('c')}","size":1},` +
        '"layers":[],"annotations":{"__proto__":"p"}}',
    ),
    digestOf('m'),
  )
  expect(Object.keys(m.annotations ?? {})).toEqual(['__proto__'])
})

it('GC reports a namespace called constructor (or toString) like any other', () => {
  for (const ns of ['constructor', 'toString']) {
    b.images.create(ns, {
      name: 'x',
      labels: {},
      target: { mediaType: 'm/t', digest: digestOf('x'), size: 1 },
    })
  }
  const r = gc(b.db, { root: b.storeRoot, dryRun: true })
  expect(Object.keys(r.perNamespace).sort()).toEqual(['constructor', 'toString'])
  const ctor = 'constructor'
  expect(r.perNamespace[ctor].imageCount).toBe(1)
  expect(Object.hasOwn(Object, 'imageCount')).toBe(false)
})
