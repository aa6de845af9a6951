// The image store's rules, containerd-semantics.md §a, with core/metadata/images_test.go translated.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isKind, type BerthError, type ErrorKind } from '../../../src-main/core/errors'
import type { Image, ImageInput } from '../../../src-main/core/images/store'
import type { Descriptor } from '../../../src-main/core/oci'
import { dgst, image, openEnv, type Env } from './helpers'

const NS = 'default'
let env: Env
beforeEach(() => {
  env = openEnv()
})
afterEach(() => env.close())

function fails(fn: () => unknown, kind: ErrorKind, message?: string | RegExp): BerthError {
  let err: unknown
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err, 'expected a failure').toBeDefined()
  expect(isKind(err, kind), `${String(err)} should be ${kind}`).toBe(true)
  if (message !== undefined) expect((err as Error).message).toMatch(message)
  return err as BerthError
}

const stripTimes = (i: Image) => ({ name: i.name, labels: i.labels, target: i.target })

describe('namespaces', () => {
  const ops: [string, (ns: string) => unknown][] = [
    ['get', (ns) => env.store.get(ns, 'x')],
    ['list', (ns) => env.store.list(ns)],
    ['create', (ns) => env.store.create(ns, image('x'))],
    ['update', (ns) => env.store.update(ns, image('x'))],
    ['delete', (ns) => env.store.delete(ns, 'x')],
    ['count', (ns) => env.store.count(ns)],
  ]
  it.each(ops)('%s: empty namespace is FailedPrecondition, an invalid one InvalidArgument', (_, op) => {
    fails(() => op(''), 'failed-precondition', 'namespace is required')
    for (const bad of ['has space', '-lead', 'trail-', 'a..b', 'x'.repeat(77), 'ü', 'a/b'])
      fails(() => op(bad), 'invalid-argument')
  })
  it('the same name in two namespaces is two records; namespaces() lists those with images', () => {
    env.store.create('ns1', image('x', { labels: { a: '1' } }))
    env.store.create('ns2', image('x', { labels: { a: '2' } }))
    env.store.create('a.b-c_d', image('y'))
    expect(env.store.get('ns1', 'x').labels).toEqual({ a: '1' })
    expect(env.store.get('ns2', 'x').labels).toEqual({ a: '2' })
    env.store.delete('ns1', 'x')
    expect(env.store.get('ns2', 'x').name).toBe('x')
    fails(() => env.store.get('ns1', 'x'), 'not-found')
    expect(env.store.list('ns1')).toEqual([])
    expect(env.store.namespaces()).toEqual(['a.b-c_d', 'ns2'])
    expect(env.store.count('ns2')).toBe(1)
    expect(env.store.count('x'.repeat(76))).toBe(0)
  })
})

describe('create', () => {
  it('accepts any non-empty name, with no reference parsing', () => {
    const names = [
      'with space',
      'UPPER',
      'ünïcødé/名前',
      '-leading-dash',
      'x@sha256:' + 'a'.repeat(64),
      'n'.repeat(5000),
    ]
    for (const n of names) expect(env.store.create(NS, image(n)).name).toBe(n)
    expect(env.store.count(NS)).toBe(names.length)
    fails(() => env.store.create(NS, image('')), 'invalid-argument', 'image name must not be empty')
  })

  const good = dgst('x')
  const targets: [string, Partial<Descriptor>, RegExp | null][] = [
    ['valid', {}, null],
    ['sha384', { digest: 'sha384:' + 'a'.repeat(96) }, null],
    ['sha512', { digest: 'sha512:' + 'b'.repeat(128) }, null],
    ['media type not even a media type', { mediaType: 'not even a media type' }, null],
    ['empty digest', { digest: '' }, /invalid checksum digest format/],
    ['no colon', { digest: 'sha256' + 'a'.repeat(64) }, /invalid checksum digest format/],
    ['short', { digest: 'sha256:abc' }, /invalid checksum digest length/],
    ['md5', { digest: 'md5:' + 'a'.repeat(32) }, /unsupported digest algorithm/],
    ['blake3', { digest: 'blake3:' + 'a'.repeat(64) }, /unsupported digest algorithm/],
    ['upper-case hex', { digest: 'sha256:' + 'A'.repeat(64) }, /invalid checksum digest format/],
    ['size zero', { size: 0 }, /target.Size must be greater than zero/],
    ['size negative', { size: -1 }, /target.Size must be greater than zero/],
    ['empty media type', { mediaType: '' }, /target.MediaType must be set/],
    // The order: digest, then size, then media type; the first failure wins.
    ['bad digest and zero size', { digest: 'nope', size: 0, mediaType: '' }, /target.Digest "nope" invalid/],
    ['zero size and no media type', { size: 0, mediaType: '' }, /target.Size/],
  ]
  it.each(targets)('target %s', (_, over, err) => {
    const target = { mediaType: 'application/x', digest: good, size: 3, ...over }
    if (err) fails(() => env.store.create(NS, image('t', { target })), 'invalid-argument', err)
    else expect(env.store.create(NS, image('t', { target })).target).toEqual(target)
    if (err) fails(() => env.store.get(NS, 't'), 'not-found')
  })

  it('a zero target is invalid (containerd NoTarget)', () => {
    fails(() => env.store.create(NS, { name: 'n', labels: {}, target: {} as Descriptor }), 'invalid-argument')
  })

  it('validates labels before the target, as validateImage does', () => {
    const labels = { big: 'v'.repeat(5000) }
    fails(
      () => env.store.create(NS, image('x', { labels, target: { digest: 'bad', size: 0, mediaType: '' } })),
      'invalid-argument',
      /^image.Labels: label key and value length/,
    )
  })

  it('keeps only mediaType, digest, size and annotations of the target', () => {
    const target: Descriptor = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: dgst('t'),
      size: 42,
      urls: ['https://example.com'],
      platform: { os: 'linux', architecture: 'amd64' },
      artifactType: 'application/x',
      data: 'e30=',
      annotations: { a: 'b' },
    }
    const want = { mediaType: target.mediaType, digest: target.digest, size: 42, annotations: { a: 'b' } }
    expect(env.store.create(NS, image('t', { target })).target).toEqual(want)
    expect(env.store.get(NS, 't').target).toEqual(want)
  })

  it('drops empty-valued labels and annotations, from the record and the result', () => {
    const target = { mediaType: 'm/t', digest: dgst(1), size: 1, annotations: { keep: 'x', drop: '' } }
    const made = env.store.create(NS, { name: 'n', labels: { keep: 'y', drop: '', '': 'empty key' }, target })
    const want = {
      name: 'n',
      labels: { keep: 'y', '': 'empty key' },
      target: { ...target, annotations: { keep: 'x' } },
    }
    expect(stripTimes(made)).toEqual(want)
    expect(stripTimes(env.store.get(NS, 'n'))).toEqual(want)
    const none = env.store.create(NS, {
      name: 'm',
      labels: { a: '' },
      target: { ...target, annotations: { a: '' } },
    })
    expect(none.labels).toEqual({})
    expect(none.target.annotations).toBeUndefined()
  })

  it('AlreadyExists leaves the existing record unchanged; timestamps from the caller are ignored', () => {
    const first = env.store.create(NS, image('x', { labels: { v: '1' } }))
    env.clock.tick(1000)
    fails(() => env.store.create(NS, image('x', { labels: { v: '2' } })), 'already-exists', /image "x"/)
    expect(env.store.get(NS, 'x')).toEqual(first)
    const withTimes = { ...image('y'), createdAt: new Date(0), updatedAt: new Date(1) } as ImageInput
    const y = env.store.create(NS, withTimes)
    expect(y.createdAt.getTime()).toBe(env.clock.ms)
    expect(y.updatedAt).toEqual(y.createdAt)
  })

  it('an invalid image with an existing name is InvalidArgument (validation runs first)', () => {
    env.store.create(NS, image('x'))
    fails(
      () => env.store.create(NS, image('x', { target: { mediaType: '', digest: dgst(1), size: 1 } })),
      'invalid-argument',
    )
  })

  it('keeps "__proto__" and other odd label keys as ordinary labels', () => {
    const labels = JSON.parse('{"__proto__":"p","constructor":"c","a.b":"d","":"e"}') as Record<
      string,
      string
    >
    const made = env.store.create(NS, image('x', { labels }))
    expect(Object.entries(made.labels).sort()).toEqual(Object.entries(labels).sort())
    expect(env.store.list(NS, 'labels.__proto__==p').map((i) => i.name)).toEqual(['x'])
  })
})

describe('labels: 4096 UTF-8 bytes of key + value', () => {
  const cases: [string, string, string, boolean][] = [
    ['ascii at the limit', 'k', 'v'.repeat(4095), true],
    ['ascii one over', 'k', 'v'.repeat(4096), false],
    ['empty key at the limit', '', 'v'.repeat(4096), true],
    ['long key, one-byte value', 'k'.repeat(4095), 'v', true],
    // Validation sees the label before the empty value is dropped on write.
    ['empty value does not excuse a long key', 'k'.repeat(4097), '', false],
    ['two-byte chars, 4097 bytes', 'k', 'é'.repeat(2048), false],
    ['two-byte chars, 4095 bytes', 'k', 'é'.repeat(2047), true],
    ['four-byte chars, 4096 bytes', '😀'.repeat(1023), 'vvvv', true],
    ['four-byte chars, 4097 bytes', '😀'.repeat(1024), 'v', false],
    ['three-byte key + ascii, 4096', '名'.repeat(2), 'v'.repeat(4090), true],
  ]
  it.each(cases)('%s', (_, k, v, ok) => {
    const run = () => env.store.create(NS, image('x', { labels: { [k]: v } }))
    if (ok) expect(run().labels[k]).toBe(v)
    else {
      const e = fails(
        run,
        'invalid-argument',
        /^image.Labels: label key and value length \(\d+ bytes\) greater than maximum size \(4096 bytes\)/,
      )
      expect(e.message).toContain(`(${Buffer.byteLength(k) + Buffer.byteLength(v)} bytes)`)
    }
  })
  it('applies on update too, leaving the record untouched', () => {
    const x = env.store.create(NS, image('x', { labels: { a: '1' } }))
    fails(
      () => env.store.update(NS, image('x', { labels: { a: 'v'.repeat(4096) } }), 'labels.a'),
      'invalid-argument',
    )
    expect(env.store.get(NS, 'x')).toEqual(x)
  })
})

// core/metadata/images_test.go TestImagesCreateUpdateDelete, as a table.
describe('containerd TestImagesCreateUpdateDelete', () => {
  type Case = {
    name: string
    original: ImageInput | 'base'
    createErr?: ErrorKind
    input?: Omit<ImageInput, 'name'> & { name?: string }
    fieldpaths?: string[]
    expected?: Omit<ImageInput, 'name'>
    cause?: ErrorKind
    deleteErr?: ErrorKind
  }
  const base = (): Omit<ImageInput, 'name'> => ({
    labels: { foo: 'bar', baz: 'boo' },
    target: {
      size: 10,
      mediaType: 'application/vnd.oci.blab',
      digest: '',
      annotations: { foo: 'bar', baz: 'boo' },
    },
  })
  const t = (size: number, mediaType: string, annotations?: Record<string, string>) =>
    ({ size, mediaType, digest: '', ...(annotations ? { annotations } : {}) }) as Descriptor
  const cases: Case[] = [
    {
      name: 'Touch',
      original: 'base',
      input: {
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
      expected: {
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
    },
    {
      name: 'NoTarget',
      original: { name: '', labels: { foo: 'bar', baz: 'boo' }, target: {} as Descriptor },
      createErr: 'invalid-argument',
    },
    {
      name: 'ReplaceLabels',
      original: 'base',
      input: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
      expected: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
    },
    {
      name: 'ReplaceLabelsFieldPath',
      original: 'base',
      input: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab+ignored', { not: 'bar', new: 'boo' }),
      },
      fieldpaths: ['labels'],
      expected: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar', baz: 'boo' }),
      },
    },
    {
      name: 'ReplaceLabelsAnnotationsFieldPath',
      original: 'base',
      input: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab+ignored', { foo: 'boo' }),
      },
      fieldpaths: ['annotations', 'labels'],
      expected: {
        labels: { for: 'bar', boo: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'boo' }),
      },
    },
    {
      name: 'ReplaceLabel',
      original: 'base',
      input: {
        labels: { foo: 'baz', baz: 'bunk' },
        target: t(10, 'application/vnd.oci.blab+ignored', { foo: 'bar' }),
      },
      fieldpaths: ['labels.foo'],
      expected: {
        labels: { foo: 'baz', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar', baz: 'boo' }),
      },
    },
    {
      name: 'ReplaceAnnotation',
      original: 'base',
      input: {
        labels: { foo: 'baz', baz: 'bunk' },
        target: t(10, 'application/vnd.oci.blab+ignored', { foo: 'baz', baz: 'bunk' }),
      },
      fieldpaths: ['annotations.foo'],
      expected: {
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'baz', baz: 'boo' }),
      },
    },
    {
      name: 'ReplaceTargetTypeAndAnnotations',
      original: 'base',
      input: { labels: {}, target: t(10, 'application/vnd.oci.blab+replaced', { fox: 'dog' }) },
      fieldpaths: ['target'],
      expected: {
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab+replaced', { fox: 'dog' }),
      },
    },
    {
      name: 'ReplaceTargetFieldpath',
      original: 'base',
      input: { labels: {}, target: t(20, 'application/vnd.oci.blab+replaced', { fox: 'dog' }) },
      fieldpaths: ['target'],
      expected: {
        labels: { foo: 'bar', baz: 'boo' },
        target: t(20, 'application/vnd.oci.blab+replaced', { fox: 'dog' }),
      },
      deleteErr: 'not-found',
    },
    {
      name: 'ReplaceTarget',
      original: 'base',
      input: { labels: {}, target: t(20, 'application/vnd.oci.blab+replaced', { fox: 'dog' }) },
      expected: { labels: {}, target: t(20, 'application/vnd.oci.blab+replaced', { fox: 'dog' }) },
      deleteErr: 'not-found',
    },
    {
      name: 'EmptySize',
      original: 'base',
      input: { labels: { foo: 'bar', baz: 'boo' }, target: t(0, 'application/vnd.oci.blab', { foo: 'bar' }) },
      cause: 'invalid-argument',
    },
    {
      name: 'EmptySizeOnCreate',
      original: {
        name: '',
        labels: { foo: 'bar' },
        target: t(0, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
      createErr: 'invalid-argument',
    },
    {
      name: 'EmptyMediaType',
      original: 'base',
      input: { labels: { foo: 'bar', baz: 'boo' }, target: t(10, '') },
      cause: 'invalid-argument',
    },
    {
      name: 'EmptyMediaTypeOnCreate',
      original: { name: '', labels: { foo: 'bar' }, target: t(10, '') },
      createErr: 'invalid-argument',
    },
    {
      name: 'TryUpdateNameFail',
      original: {
        name: '',
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
      input: {
        name: 'test should fail',
        labels: { foo: 'bar', baz: 'boo' },
        target: t(10, 'application/vnd.oci.blab', { foo: 'bar' }),
      },
      cause: 'not-found',
    },
  ]
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const original: ImageInput =
      c.original === 'base' ? { name: c.name, ...base() } : { ...c.original, name: c.name }
    original.target = { ...original.target, digest: dgst(`${c.name}-${original.target.size ?? 0}`) }
    const input = c.input ? { ...c.input, name: c.input.name ?? c.name } : undefined
    if (input) input.target = { ...input.target, digest: dgst(`${c.name}-${input.target.size}`) }

    if (c.createErr) {
      fails(() => env.store.create(NS, original), c.createErr)
      return
    }
    const created = env.store.create(NS, original)
    expect(created.createdAt).toEqual(created.updatedAt)
    expect(stripTimes(created)).toEqual(original)

    env.clock.tick(5)
    if (!input) return
    if (c.cause) {
      fails(() => env.store.update(NS, input, ...(c.fieldpaths ?? [])), c.cause)
      expect(env.store.get(NS, c.name)).toEqual(created)
      return
    }
    const updated = env.store.update(NS, input, ...(c.fieldpaths ?? []))
    expect(updated.updatedAt.getTime()).toBeGreaterThan(updated.createdAt.getTime())
    expect(updated.createdAt).toEqual(created.createdAt)
    const expected = {
      name: c.name,
      ...c.expected!,
      target: { ...c.expected!.target, digest: input.target.digest },
    }
    expect(stripTimes(updated)).toEqual(expected)
    expect(env.store.get(NS, c.name)).toEqual(updated)

    const del = () => env.store.delete(NS, c.name, { target: original.target })
    if (c.deleteErr) {
      fails(
        del,
        c.deleteErr,
        `image "${c.name}" has target ${input.target.digest}, not ${original.target.digest}`,
      )
      expect(env.store.get(NS, c.name)).toEqual(updated)
    } else del()
  })
})

describe('update', () => {
  it('needs a name (InvalidArgument) that exists (NotFound)', () => {
    fails(() => env.store.update(NS, image('')), 'invalid-argument', 'image name is required for update')
    fails(() => env.store.update(NS, image('missing')), 'not-found', /image "missing"/)
  })

  it.each([
    'name',
    'target.digest',
    'target.annotations',
    'createdat',
    'updatedat',
    'Labels',
    'label',
    'annotation',
    '',
  ])('fieldpath %j is InvalidArgument and nothing is written', (path) => {
    const x = env.store.create(NS, image('x', { labels: { a: '1' } }))
    env.clock.tick()
    const err = fails(
      () => env.store.update(NS, image('x', { labels: { a: '2', b: '3' } }), 'labels.a', path, 'labels.b'),
      'invalid-argument',
    )
    expect(err.message).toBe(`cannot update ${JSON.stringify(path)} field on image "x"`)
    expect(env.store.get(NS, 'x')).toEqual(x)
    expect(env.events.map((e) => e.topic)).toEqual(['/images/create'])
  })

  it('labels.KEY keeps dots in the key, removes a key the input lacks, and "labels." is a no-op', () => {
    env.store.create(NS, image('x', { labels: { 'a.b': '1', c: '2', d: '3' } }))
    const u = env.store.update(
      NS,
      image('x', { labels: { 'a.b': 'new', z: 'ignored' } }),
      'labels.a.b',
      'labels.c',
      'labels.',
    )
    expect(u.labels).toEqual({ 'a.b': 'new', d: '3' })
    const v = env.store.update(NS, image('x', { labels: { d: '' } }), 'labels.d')
    expect(v.labels).toEqual({ 'a.b': 'new' })
  })

  it('"labels" with no map removes all labels; "annotations" likewise', () => {
    env.store.create(
      NS,
      image('x', {
        labels: { a: '1' },
        target: { mediaType: 'm/t', digest: dgst(1), size: 1, annotations: { q: 'r' } },
      }),
    )
    const u = env.store.update(
      NS,
      { name: 'x', target: undefined } as unknown as ImageInput,
      'labels',
      'annotations',
    )
    expect(u.labels).toEqual({})
    expect(u.target).toEqual({ mediaType: 'm/t', digest: dgst(1), size: 1 })
  })

  it('annotations.KEY sets and removes one annotation', () => {
    env.store.create(
      NS,
      image('x', { target: { mediaType: 'm/t', digest: dgst(1), size: 1, annotations: { a: '1', b: '2' } } }),
    )
    const u = env.store.update(
      NS,
      image('x', { target: { mediaType: 'm', digest: dgst(2), size: 9, annotations: { a: 'x', c: '3' } } }),
      'annotations.a',
      'annotations.b',
      'annotations.c',
    )
    expect(u.target).toEqual({ mediaType: 'm/t', digest: dgst(1), size: 1, annotations: { a: 'x', c: '3' } })
  })

  it('a later path wins over an earlier one, applied in order', () => {
    env.store.create(NS, image('x', { labels: { a: '1', b: '2' } }))
    const u = env.store.update(NS, image('x', { labels: { a: '9' } }), 'labels.a', 'labels')
    expect(u.labels).toEqual({ a: '9' })
  })

  it('updatedAt strictly increases on every update, even with a frozen clock; createdAt never changes', () => {
    const x = env.store.create(NS, image('x'))
    let last = x.updatedAt.getTime()
    for (let i = 0; i < 5; i++) {
      const u = env.store.update(NS, image('x'), 'labels')
      expect(u.updatedAt.getTime()).toBeGreaterThan(last)
      expect(u.createdAt).toEqual(x.createdAt)
      last = u.updatedAt.getTime()
    }
    expect(last).toBe(x.createdAt.getTime() + 5)
    env.clock.tick(10_000)
    expect(env.store.update(NS, image('x')).updatedAt.getTime()).toBe(env.clock.ms)
    // A clock that goes backwards still moves updatedAt forwards.
    env.clock.tick(-60_000)
    expect(env.store.update(NS, image('x')).updatedAt.getTime()).toBe(env.clock.ms + 60_001)
  })

  it('a failed validation after merging leaves the record untouched', () => {
    const x = env.store.create(NS, image('x', { labels: { a: '1' } }))
    fails(
      () =>
        env.store.update(
          NS,
          image('x', { target: { mediaType: 'm', digest: 'sha256:x', size: 1 } }),
          'labels.b',
          'target',
        ),
      'invalid-argument',
      /target.Digest/,
    )
    fails(() => env.store.update(NS, { name: 'x', labels: {} } as unknown as ImageInput), 'invalid-argument')
    expect(env.store.get(NS, 'x')).toEqual(x)
  })
})

describe('delete', () => {
  it('NotFound when absent; the target guard compares only the digest', () => {
    fails(() => env.store.delete(NS, 'x'), 'not-found', /image "x"/)
    const target = { mediaType: 'm/t', digest: dgst(1), size: 1 }
    env.store.create(NS, image('x', { target }))
    fails(
      () => env.store.delete(NS, 'x', { target: { ...target, digest: dgst(2) } }),
      'not-found',
      `image "x" has target ${dgst(1)}, not ${dgst(2)}`,
    )
    fails(() => env.store.delete(NS, 'y', { target }), 'not-found')
    env.store.delete(NS, 'x', { target: { digest: dgst(1), mediaType: 'other', size: 999 } })
    fails(() => env.store.get(NS, 'x'), 'not-found')
    env.store.create(NS, image('x', { target }))
    env.store.delete(NS, 'x', { target: { digest: '', mediaType: '', size: 0 } })
    fails(() => env.store.delete(NS, 'x'), 'not-found')
  })

  it('removes the labels with the image and marks the database dirty', () => {
    env.store.create(NS, image('x', { labels: { a: '1' } }))
    const dirty = () => env.db.prepare('SELECT dirty FROM gc_state').pluck().get() as number
    const before = dirty()
    env.store.delete(NS, 'x')
    expect(dirty()).toBeGreaterThan(before)
    expect(env.db.prepare('SELECT count(*) FROM image_labels').pluck().get()).toBe(0)
    expect(env.db.prepare('SELECT count(*) FROM image_label_maps').pluck().get()).toBe(0)
    env.store.create(NS, image('x'))
    expect(env.store.get(NS, 'x').labels).toEqual({})
  })

  it('sync runs a garbage collection before returning', () => {
    const now = env.clock.ms
    env.db
      .prepare('INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(NS, dgst('x'), 3, now, now)
    env.store.create(NS, image('x', { target: { mediaType: 'm/t', digest: dgst('x'), size: 3 } }))
    env.store.create(NS, image('y', { target: { mediaType: 'm/t', digest: dgst('x'), size: 3 } }))
    const rows = () => env.db.prepare('SELECT count(*) FROM content').pluck().get()
    env.store.delete(NS, 'x', { sync: true })
    expect(rows()).toBe(1) // still the target of y
    env.store.delete(NS, 'y')
    expect(rows()).toBe(1) // no GC without sync
    env.store.create(NS, image('z'))
    env.store.delete(NS, 'z', { sync: true })
    expect(rows()).toBe(0)
    expect(env.db.prepare('SELECT dirty FROM gc_state').pluck().get()).toBe(0)
  })
})

describe('events and transactions', () => {
  it('publishes create, update and delete after the change', () => {
    env.store.create('ns1', image('x'))
    env.store.update('ns1', image('x'))
    env.store.delete('ns1', 'x')
    expect(env.events).toEqual([
      { topic: '/images/create', namespace: 'ns1', name: 'x' },
      { topic: '/images/update', namespace: 'ns1', name: 'x' },
      { topic: '/images/delete', namespace: 'ns1', name: 'x' },
    ])
  })
  it('publishes nothing for a failed change, and only after the outermost commit', () => {
    fails(() => env.store.create(NS, image('')), 'invalid-argument')
    let seen = -1
    env.store.transaction(() => {
      env.store.create(NS, image('a'))
      env.store.create(NS, image('b'))
      seen = env.events.length
    })
    expect(seen).toBe(0)
    expect(env.events.map((e) => e.name)).toEqual(['a', 'b'])
    expect(() =>
      env.store.transaction(() => {
        env.store.create(NS, image('c'))
        env.store.create(NS, image('a'))
      }),
    ).toThrow(/already exists/)
    expect(env.events).toHaveLength(2)
    fails(() => env.store.get(NS, 'c'), 'not-found')
  })
  it('createMany is all or nothing', () => {
    fails(() => env.store.createMany(NS, [image('a'), image('b'), image('')]), 'invalid-argument')
    expect(env.store.count(NS)).toBe(0)
    expect(env.store.createMany(NS, [image('a'), image('b')]).map((i) => i.name)).toEqual(['a', 'b'])
  })
  it('migration 3 builds the label objects of images stored before it', async () => {
    const { openDatabase } = await import('../../../src-main/core/db')
    const { ImageStore } = await import('../../../src-main/core/images/store')
    env.store.create(NS, image('x', { labels: { a: '1', 'b.c': '2' } }))
    env.store.create(NS, image('y'))
    env.db.exec('DROP TABLE image_label_maps; UPDATE schema_version SET version = 2')
    const file = env.db.name
    env.db.close()
    const db = openDatabase(file)
    const again = new ImageStore(db)
    expect(again.get(NS, 'x').labels).toEqual({ a: '1', 'b.c': '2' })
    expect(again.list(NS).map((i) => [i.name, i.labels])).toEqual([
      ['x', { a: '1', 'b.c': '2' }],
      ['y', {}],
    ])
    env.db = db
  })
  it('a record written in a file survives reopening the database', async () => {
    const { openDatabase } = await import('../../../src-main/core/db')
    const { ImageStore } = await import('../../../src-main/core/images/store')
    const x = env.store.create(NS, image('x', { labels: { a: '1' } }))
    const file = env.db.name
    const again = new ImageStore(openDatabase(file))
    expect(again.get(NS, 'x')).toEqual(x)
    again.db.close()
  })
})
