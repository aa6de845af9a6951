// A typed fake of window.berth for component tests: each channel answers from a handler the test gives
// (typed by the contract), every call is recorded, and events can be pushed as main would.
import type {
  BerthBridge,
  Channel,
  ChannelArgs,
  ChannelResult,
  Envelope,
  ErrorKind,
  EventName,
  Events,
  ImageDetails,
  ImageSummary,
} from '../../../src-preload/api'

export type FakeHandlers = {
  [C in Channel]?: (...args: ChannelArgs<C>) => ChannelResult<C> | Promise<ChannelResult<C>>
}

export class FakeError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message)
  }
}

export interface FakeBerth extends BerthBridge {
  calls: { channel: Channel; args: unknown[] }[]
  emit<E extends EventName>(event: E, payload: Events[E]): void
}

export function installFakeBerth(handlers: FakeHandlers): FakeBerth {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const fake: FakeBerth = {
    calls: [],
    async invoke<C extends Channel>(
      channel: C,
      ...args: ChannelArgs<C>
    ): Promise<Envelope<ChannelResult<C>>> {
      fake.calls.push({ channel, args })
      const h = handlers[channel] as ((...a: unknown[]) => unknown) | undefined
      if (!h)
        return { ok: false, error: { kind: 'not-implemented', message: `fake: no handler for ${channel}` } }
      try {
        return { ok: true, value: (await h(...args)) as ChannelResult<C> }
      } catch (e) {
        const kind = e instanceof FakeError ? e.kind : 'unavailable'
        return { ok: false, error: { kind, message: (e as Error).message } }
      }
    },
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(fn as (p: unknown) => void)
      return () => listeners.get(event)?.delete(fn as (p: unknown) => void)
    },
    off(event, fn) {
      listeners.get(event)?.delete(fn as (p: unknown) => void)
    },
    emit(event, payload) {
      for (const fn of listeners.get(event) ?? []) fn(payload)
    },
  }
  window.berth = fake
  return fake
}

export function summary(name: string, extra: Partial<ImageSummary> = {}): ImageSummary {
  const at = name.lastIndexOf(':')
  return {
    name,
    repository: at > 0 ? name.slice(0, at) : name,
    tag: at > 0 ? name.slice(at + 1) : '',
    targetDigest: 'sha256:' + 'a'.repeat(64),
    targetMediaType: 'application/vnd.oci.image.index.v1+json',
    targetSize: 900,
    kind: 'index',
    platforms: [{ platform: 'linux/amd64', os: 'linux', architecture: 'amd64', status: 'present' }],
    status: 'present',
    size: 123_456,
    uniqueSize: 100_000,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    labels: {},
    ...extra,
  }
}

export function details(name: string, extra: Partial<ImageDetails> = {}): ImageDetails {
  const s = summary(name, { labels: { env: 'prod', 'containerd.io/gc.root': 'x' } })
  const d = (c: string) => 'sha256:' + c.repeat(64)
  return {
    namespace: 'default',
    summary: s,
    tree: {
      digest: s.targetDigest,
      mediaType: s.targetMediaType,
      size: 900,
      kind: 'index',
      present: true,
      children: [],
    },
    matrix: {
      host: 'linux/amd64',
      rows: [
        { os: 'linux', label: 'linux' },
        { os: 'windows', osVersion: '10.0.20348.1', label: 'windows(10.0.20348.1)' },
      ],
      columns: [
        { architecture: 'amd64', label: 'amd64' },
        { architecture: 'arm64', label: 'arm64' },
      ],
      cells: [
        {
          row: 0,
          column: 0,
          platform: 'linux/amd64',
          status: 'present',
          compressedSize: 2000,
          uncompressedSize: 5000,
          layers: 2,
          manifestDigest: d('1'),
          configDigest: d('2'),
          rank: 0,
          runnable: true,
          best: true,
          attestations: [d('9')],
        },
        {
          row: 0,
          column: 1,
          platform: 'linux/arm64',
          status: 'partial',
          compressedSize: 2000,
          uncompressedSize: null,
          layers: 2,
          manifestDigest: d('3'),
          configDigest: d('4'),
          rank: null,
          runnable: false,
          best: false,
          attestations: [],
        },
        {
          row: 1,
          column: 0,
          platform: 'windows(10.0.20348.1)/amd64',
          status: 'missing',
          compressedSize: 10,
          uncompressedSize: null,
          layers: 0,
          manifestDigest: d('5'),
          configDigest: null,
          rank: null,
          runnable: false,
          best: false,
          attestations: [],
        },
      ],
      attestations: [
        {
          digest: d('9'),
          size: 400,
          present: true,
          refersTo: d('1'),
          platform: 'linux/amd64',
          predicateTypes: ['https://spdx.dev/Document'],
        },
      ],
    },
    config: {
      digest: d('2'),
      platform: 'linux/amd64',
      created: null,
      author: null,
      user: null,
      workingDir: null,
      entrypoint: null,
      cmd: ['/bin/sh'],
      env: [],
      ports: [],
      volumes: [],
      stopSignal: null,
      labels: { 'org.opencontainers.image.title': 'demo' },
      history: [],
      diffIds: [],
    },
    ...extra,
  }
}
