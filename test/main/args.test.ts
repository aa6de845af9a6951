// The contract's argument types and the checks main and the host apply are one thing (args.ts): the
// types are derived from the schemas, so here the compiler proves they are the same for every channel,
// and a full example of each channel's arguments — typed by the contract, every optional field filled —
// proves at run time that the schema takes everything the type describes, refuses each field when it is
// wrong (naming its path) and refuses a field the type does not have. The bounds the hand-written checks
// had are pinned below, each at the bound and one past it.
import type * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { CHANNELS, type Channel, type ChannelArgs } from '../../src-preload/api'
import type { ARGS } from '../../src-preload/args'
import { checkArgs } from '../../src-main/app/check-args'
import { isKind } from '../../src-main/core/errors'

// -- compile time -------------------------------------------------------------------------------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Schema<C extends Channel> = (typeof ARGS)[C]
/** For each channel: true when the contract's type, the schema's output and its input are the same. */
type Oneness = {
  [C in Channel]: Equal<ChannelArgs<C>, v.InferOutput<Schema<C>>> extends true
    ? Equal<v.InferInput<Schema<C>>, v.InferOutput<Schema<C>>>
    : false
}
const oneness: { [C in Channel]: true } = {} as Oneness
const sameChannels: Equal<keyof typeof ARGS, Channel> = true
void oneness
void sameChannels

/** Every optional field present, all the way down: an example of this type exercises every field. */
type Full<T> = T extends readonly unknown[]
  ? { [K in keyof T]: Full<T[K]> }
  : T extends object
    ? { [K in keyof T]-?: Full<Exclude<T[K], undefined>> }
    : T

// @ts-expect-error a field the contract does not have is a compile error, as it is a run-time refusal
const typo: Full<ChannelArgs<'jobs.cancel'>> = [{ id: 'j', force: true }]
void typo

// -- run time -----------------------------------------------------------------------------------------

const ns = 'default'
const at = '2024-05-01T12:00:00Z'
const digest = `sha256:${'a'.repeat(64)}`
const filters = [{ name: 'Archives', extensions: ['tar'] }]

const EXAMPLES: { [C in Channel]: Full<ChannelArgs<C>> } = {
  'app.info': [],
  'namespaces.list': [],
  'images.list': [
    {
      namespace: ns,
      filter: 'name~="alpine"',
      query: 'alp',
      sort: { key: 'size', direction: 'desc' },
      offset: 0,
      limit: 100,
    },
  ],
  'images.details': [{ namespace: ns, name: 'docker.io/library/alpine:3', ticket: 'view-1' }],
  'images.blob': [{ namespace: ns, digest }],
  'images.setLabels': [
    { namespace: ns, name: 'a:1', changes: { keep: 'yes', gone: null }, expectedUpdatedAt: at },
  ],
  'images.tag': [{ namespace: ns, source: 'a:1', target: 'a:2', force: true }],
  'images.removePreview': [{ namespace: ns, names: ['a:1'] }],
  'images.remove': [{ namespace: ns, names: ['a:1', 'a:2'] }],
  'images.import': [{ namespace: ns, path: '/tmp/a.tar', platforms: ['linux/amd64'] }],
  'images.export': [{ namespace: ns, names: ['a:1'], path: '/tmp/a.tar', platforms: ['linux/arm64'] }],
  'images.pull': [
    { namespace: ns, ref: 'docker.io/library/alpine:3', platforms: ['linux/amd64'], insecure: false },
  ],
  'images.push': [
    { namespace: ns, name: 'a:1', ref: 'localhost:5000/a:1', platforms: ['linux/amd64'], insecure: true },
  ],
  'jobs.cancel': [{ id: 'job-1' }],
  'calls.cancel': [{ ticket: 'view-1' }],
  'registry.inspect': [{ ref: 'localhost:5000/a:1', insecure: true }],
  'registry.logins.list': [],
  'registry.login': [{ host: 'localhost:5000', username: 'me', secret: 's3cret', insecure: true }],
  'registry.logout': [{ host: 'localhost:5000' }],
  'content.list': [{ namespace: ns, filter: 'size>1', query: 'sha', offset: 10, limit: 50 }],
  'content.setLabels': [{ namespace: ns, digest, changes: { a: 'b' }, expectedUpdatedAt: at }],
  'gc.preview': [],
  'gc.run': [],
  'dialogs.openFile': [{ title: 'Import', filters }],
  'dialogs.saveFile': [{ title: 'Export', defaultName: 'a.tar', filters }],
  'sources.list': [],
  'sources.add': [
    { address: '/run/containerd/containerd.sock', namespace: ns, name: 'containerd · default' },
  ],
  'sources.remove': [{ id: 'src-1' }],
  'sources.switch': [{ id: 'berth' }],
  'sources.daemon': [{ address: 'unix:///run/containerd/containerd.sock' }],
  'images.copy': [
    {
      from: { source: 'berth', namespace: ns },
      to: { source: 'src-1', namespace: 'k8s.io' },
      names: ['a:1'],
      platforms: ['linux/amd64'],
    },
  ],
  'files.layers': [{ namespace: ns, name: 'a:1', manifest: digest, platform: 'linux/arm64' }],
  'files.index': [{ namespace: ns, name: 'a:1', manifest: digest, platform: 'linux/amd64' }],
  'files.list': [
    { namespace: ns, tree: digest, dir: '/etc', layer: 2, onlyChanges: true, offset: 0, limit: 500 },
  ],
  'files.search': [{ namespace: ns, tree: digest, pattern: '*.so', mode: 'glob', offset: 0, limit: 100 }],
  'files.wasted': [{ namespace: ns, tree: digest, limit: 20 }],
  'files.stat': [{ namespace: ns, tree: digest, path: '/etc/passwd', layer: 0 }],
  'files.read': [{ namespace: ns, tree: digest, path: '/etc/passwd', layer: 1 }],
  'files.save': [{ namespace: ns, tree: digest, entry: '/etc', layer: 1, path: '/tmp/etc.tar' }],
  'files.compare': [
    { namespace: ns, a: digest, b: `sha256:${'b'.repeat(64)}`, change: 'added', offset: 0, limit: 10 },
  ],
}

/** The error checkArgs gives, or null when the arguments pass. */
function refusal(channel: Channel, args: unknown): string | null {
  try {
    checkArgs(channel, args)
    return null
  } catch (e) {
    expect(isKind(e, 'invalid-argument')).toBe(true)
    return (e as Error).message
  }
}

const clone = <T>(x: T): T => structuredClone(x)
/** A value no field of any request accepts: not a string, number, boolean, list, or a valid map. */
const WRONG = { wrong: 1 }

describe('each channel: the type and the schema are one', () => {
  it.each(CHANNELS)('%s', (channel) => {
    const example = EXAMPLES[channel] as unknown[]
    // Everything the type describes passes, unchanged.
    expect(checkArgs(channel, clone(example))).toEqual(example)
    // One argument more than the type has is refused.
    expect(refusal(channel, [...clone(example), {}])).toMatch(
      new RegExp(`^${channel}\\[${example.length}\\]: `),
    )
    if (example.length === 0) return
    const req = example[0] as Record<string, unknown>
    // Each field the type has is checked, and named when wrong.
    for (const field of Object.keys(req)) {
      const bad = { ...clone(req), [field]: WRONG }
      expect(refusal(channel, [bad]), field).toMatch(new RegExp(`^${channel}\\[0\\]\\.${field}[.:\\[]`))
    }
    // A field the type does not have is refused by name.
    expect(refusal(channel, [{ ...clone(req), bogus: 1 }])).toBe(`${channel}[0].bogus: no such field`)
    // The argument itself is required.
    expect(refusal(channel, [])).toMatch(new RegExp(`^${channel}\\[0\\]: `))
  })
})

// -- bounds -------------------------------------------------------------------------------------------

const many = (n: number, item: unknown = 'a:1') => Array.from({ length: n }, () => item)
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))

/** [channel, field, a value at the bound (accepted), one past it (refused), the message expected]. */
const BOUNDS: [Channel, string, unknown, unknown, string][] = [
  ['images.list', 'namespace', 'n'.repeat(76), 'n'.repeat(77), 'namespace: expected at most 76 characters'],
  ['images.list', 'namespace', 'n', '', 'namespace: expected at least 1 characters'],
  ['images.list', 'limit', 100_000, 100_001, 'limit: expected an integer in [0, 100000]'],
  ['images.list', 'limit', 0, -1, 'limit: expected an integer in [0, 100000]'],
  ['images.list', 'limit', 5, 5.5, 'limit: expected an integer in [0, 100000]'],
  [
    'images.list',
    'offset',
    Number.MAX_SAFE_INTEGER,
    -1,
    'offset: expected an integer in [0, 9007199254740991]',
  ],
  ['images.list', 'filter', 'f'.repeat(4096), 'f'.repeat(4097), 'filter: expected at most 4096 characters'],
  ['images.list', 'query', 'q'.repeat(1024), 'q'.repeat(1025), 'query: expected at most 1024 characters'],
  [
    'images.list',
    'sort',
    { key: 'created', direction: 'asc' },
    { key: 'digest', direction: 'asc' },
    'sort.key: expected one of name, tag, kind, platforms, size, unique, updated, created',
  ],
  [
    'images.list',
    'sort',
    { key: 'name', direction: 'desc' },
    { key: 'name', direction: 'up' },
    'sort.direction: expected one of asc, desc',
  ],
  ['images.details', 'name', 'n'.repeat(8192), 'n'.repeat(8193), 'name: expected at most 8192 characters'],
  ['images.blob', 'digest', 'd'.repeat(200), 'd'.repeat(201), 'digest: expected at most 200 characters'],
  ['images.remove', 'names', many(100_000), many(100_001, ''), 'names: expected at most 100000 items'],
  ['images.remove', 'names', ['a'], ['a', ''], 'names[1]: expected at least 1 characters'],
  ['images.copy', 'names', many(10_000), many(10_001), 'names: expected at most 10000 items'],
  [
    'images.import',
    'platforms',
    many(64, 'linux/amd64'),
    many(65, 'linux/amd64'),
    'platforms: expected at most 64 items',
  ],
  ['images.import', 'path', 'p'.repeat(4096), 'p'.repeat(4097), 'path: expected at most 4096 characters'],
  ['images.pull', 'platforms', 'all', 'most', 'platforms: expected an array'],
  [
    'images.pull',
    'platforms',
    ['p'.repeat(200)],
    ['p'.repeat(201)],
    'platforms[0]: expected at most 200 characters',
  ],
  ['images.setLabels', 'changes', keys(1000), keys(1001), 'changes: expected at most 1000 keys'],
  [
    'images.setLabels',
    'changes',
    { k: 'v'.repeat(8192) },
    { k: 'v'.repeat(8193) },
    'changes.k: expected at most 8192 characters',
  ],
  [
    'images.setLabels',
    'changes',
    { ['k'.repeat(4096)]: null },
    { ['k'.repeat(4097)]: null },
    `changes["${'k'.repeat(40)}"…]: expected a key of at most 4096 characters`,
  ],
  [
    'images.setLabels',
    'changes',
    { 'com.example': '' },
    { 'com.example': 1 },
    'changes["com.example"]: expected a string',
  ],
  [
    'images.setLabels',
    'expectedUpdatedAt',
    '2024-05-01T12:00:00.123Z',
    '2024-05-01 12:00:00',
    'expectedUpdatedAt: expected a UTC time such as 2024-05-01T12:00:00Z',
  ],
  ['registry.login', 'host', 'h'.repeat(255), 'h'.repeat(256), 'host: expected at most 255 characters'],
  [
    'registry.login',
    'username',
    'u'.repeat(1024),
    'u'.repeat(1025),
    'username: expected at most 1024 characters',
  ],
  [
    'registry.login',
    'secret',
    's'.repeat(16384),
    's'.repeat(16385),
    'secret: expected at most 16384 characters',
  ],
  ['registry.login', 'insecure', false, 'yes', 'insecure: expected a boolean'],
  ['jobs.cancel', 'id', 'i'.repeat(100), 'i'.repeat(101), 'id: expected at most 100 characters'],
  ['calls.cancel', 'ticket', 't'.repeat(100), 't'.repeat(101), 'ticket: expected at most 100 characters'],
  ['images.details', 'ticket', 't'.repeat(100), '', 'ticket: expected at least 1 characters'],
  ['sources.add', 'name', 'n'.repeat(200), 'n'.repeat(201), 'name: expected at most 200 characters'],
  [
    'dialogs.saveFile',
    'defaultName',
    'n'.repeat(255),
    'n'.repeat(256),
    'defaultName: expected at most 255 characters',
  ],
  [
    'dialogs.saveFile',
    'defaultName',
    'a.tar',
    '../a.tar',
    'defaultName: expected a file name without a directory',
  ],
  ['dialogs.saveFile', 'defaultName', '...', '..', 'defaultName: expected a file name without a directory'],
  ['dialogs.saveFile', 'defaultName', 'a', 'a\\b', 'defaultName: expected a file name without a directory'],
  [
    'dialogs.openFile',
    'filters',
    many(20, { name: 'n', extensions: many(20, 'e') }),
    many(21, { name: 'n', extensions: [] }),
    'filters: expected at most 20 items',
  ],
  [
    'dialogs.openFile',
    'filters',
    [{ name: 'n', extensions: ['e'.repeat(20)] }],
    [{ name: 'n', extensions: ['e'.repeat(21)] }],
    'filters[0].extensions[0]: expected at most 20 characters',
  ],
  [
    'dialogs.openFile',
    'filters',
    [{ name: 'n', extensions: [] }],
    [{ name: 'n' }],
    'filters[0].extensions: missing',
  ],
  ['files.list', 'layer', 100_000, 100_001, 'layer: expected an integer in [0, 100000]'],
  ['files.list', 'limit', 5000, 5001, 'limit: expected an integer in [0, 5000]'],
  ['files.wasted', 'limit', 10_000, 10_001, 'limit: expected an integer in [0, 10000]'],
  ['files.search', 'mode', 'regex', 'sql', 'mode: expected one of glob, regex'],
  [
    'files.search',
    'pattern',
    'p'.repeat(1024),
    'p'.repeat(1025),
    'pattern: expected at most 1024 characters',
  ],
  ['files.compare', 'change', 'changed', 'moved', 'change: expected one of added, removed, changed'],
  ['files.layers', 'platform', 'p'.repeat(200), 'p'.repeat(201), 'platform: expected at most 200 characters'],
  ['sources.switch', 'id', 's'.repeat(100), 's'.repeat(101), 'id: expected at most 100 characters'],
]

describe('the bounds of the hand-written checks survive', () => {
  it.each(BOUNDS)('%s %s', (channel, field, ok, over, message) => {
    const req = { ...clone((EXAMPLES[channel] as unknown[])[0] as object), [field]: ok }
    expect(refusal(channel, [req])).toBeNull()
    expect(refusal(channel, [{ ...req, [field]: over }])).toBe(`${channel}[0].${message}`)
  })

  it('counts a list before looking at its items, and stops at the first problem', () => {
    // 100,001 names that are each wrong: the count is what is reported, not the first bad name.
    const names = Array.from({ length: 100_001 }, () => 42)
    expect(refusal('images.remove', [{ namespace: ns, names }])).toBe(
      'images.remove[0].names: expected at most 100000 items',
    )
  })

  it('takes label keys as given, __proto__ and constructor included', () => {
    const changes = JSON.parse('{"__proto__": "x", "constructor": null}') as Record<string, string | null>
    const [req] = checkArgs('images.setLabels', [
      { namespace: ns, name: 'a:1', changes, expectedUpdatedAt: at },
    ])
    expect(Object.keys(req.changes)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(req.changes)).toBe(Object.prototype)
  })

  it('refuses what structured clone would not make of a plain object', () => {
    class Req {
      namespace = ns
    }
    expect(refusal('images.list', [new Req()])).toBe('images.list[0]: expected an object')
    expect(refusal('images.list', [[ns]])).toBe('images.list[0]: expected an object')
    expect(refusal('images.list', 'images.list')).toBe('images.list: expected an argument list')
    expect(refusal('images.list', [{ namespace: ns }])).toBeNull()
  })

  it('never quotes the value, and cuts a hostile key short', () => {
    const key = `x${'\u0000'.repeat(10_000)}`
    const m = refusal('images.list', [{ namespace: ns, [key]: 1 }])!
    expect(m.length).toBeLessThan(300)
    expect(m).toMatch(/no such field$/)
    expect(refusal('images.details', [{ namespace: ns, name: 'secret'.repeat(2000) }])).not.toMatch(/secret/)
  })
})
