// The image store's rules, containerd-semantics.md §a: namespaces, create, labels, events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../src-main/core/images/store'
import type { Descriptor } from '../../../src-main/core/oci'
import { dgst, fails, image, openEnv, stripTimes, type Env } from './helpers'

const NS = 'default'
let env: Env
beforeEach(() => {
  env = openEnv()
})
afterEach(() => env.close())

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
    const { MIGRATIONS, openDatabase } = await import('../../../src-main/core/db')
    const { ImageStore } = await import('../../../src-main/core/images/store')
    const { default: BetterSqlite3 } = await import('better-sqlite3')
    // A database as version 2 left it, built by its own steps (later steps need not undo themselves).
    const file = `${env.db.name}.v2`
    const v2 = new BetterSqlite3(file)
    v2.exec(MIGRATIONS[0])
    v2.exec(MIGRATIONS[1])
    v2.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2)')
    const row = v2.prepare(
      `INSERT INTO images (namespace, name, target_media_type, target_digest, target_size, created_at, updated_at)
       VALUES (?, ?, 'application/vnd.oci.image.manifest.v1+json', ?, 10, 0, 0)`,
    )
    row.run(NS, 'x', dgst('x'))
    row.run(NS, 'y', dgst('y'))
    const label = v2.prepare('INSERT INTO image_labels (namespace, name, key, value) VALUES (?, ?, ?, ?)')
    label.run(NS, 'x', 'a', '1')
    label.run(NS, 'x', 'b.c', '2')
    v2.close()
    const db = openDatabase(file)
    const again = new ImageStore(db)
    expect(again.get(NS, 'x').labels).toEqual({ a: '1', 'b.c': '2' })
    expect(again.list(NS).map((i) => [i.name, i.labels])).toEqual([
      ['x', { a: '1', 'b.c': '2' }],
      ['y', {}],
    ])
    db.close()
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
