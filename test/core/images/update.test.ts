// Update and delete (containerd-semantics.md §a.5, §a.6), with core/metadata/images_test.go's
// TestImagesCreateUpdateDelete translated as a table.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ErrorKind } from '../../../src-main/core/errors'
import type { ImageInput } from '../../../src-main/core/images/store'
import type { Descriptor } from '../../../src-main/core/oci'
import { dgst, fails, image, openEnv, stripTimes, type Env } from './helpers'

const NS = 'default'
let env: Env
beforeEach(() => {
  env = openEnv()
})
afterEach(() => env.close())

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

  it('inside a transaction, sync collects after the commit, and not at all after a rollback', () => {
    const rows = () => env.db.prepare('SELECT count(*) FROM content').pluck().get()
    const addContent = () =>
      env.db
        .prepare(
          'INSERT INTO content (namespace, digest, size, created_at, updated_at) VALUES (?, ?, 1, 0, 0)',
        )
        .run(NS, dgst('x'))
    addContent()
    env.store.create(NS, image('x', { target: { mediaType: 'm/t', digest: dgst('x'), size: 1 } }))
    expect(() =>
      env.store.transaction(() => {
        env.store.delete(NS, 'x', { sync: true })
        throw new Error('abandon')
      }),
    ).toThrow('abandon')
    expect(rows()).toBe(1)
    expect(env.db.prepare('SELECT last_run_at FROM gc_state').pluck().get()).toBeNull()
    env.store.transaction(() => {
      env.store.delete(NS, 'x', { sync: true })
      expect(rows()).toBe(1)
    })
    expect(rows()).toBe(0)
  })
})
