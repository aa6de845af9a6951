// A connection to one containerd daemon over its unix socket: grpc-js with the protocol subset of
// proto.ts, the namespace (and lease) in the `containerd-namespace` / `containerd-lease` metadata
// headers as containerd's own client sends them, and every failure mapped by errors.ts. The typed calls
// live beside this file (images.ts, content.ts, write.ts, leases.ts); this is only the plumbing.
import * as grpc from '@grpc/grpc-js'
import type { fromJSON as FromJSON } from '@grpc/proto-loader'
import { unavailable } from '../errors'
import { parseAddress, type Address } from './address'
import { fromGrpc, isServiceError } from './errors'
import { CONTAINERD_API, SERVICES } from './proto'

export type ServiceName = keyof typeof SERVICES

/** containerd's defaults.DefaultMaxRecvMsgSize / DefaultMaxSendMsgSize: its server never sends more. */
export const MAX_MESSAGE = 16 << 20

/** How long a unary call may take before Berth calls the daemon unresponsive. */
const UNARY_TIMEOUT_MS = 120_000

export interface CallOptions {
  lease?: string
  signal?: AbortSignal
  timeoutMs?: number
}

type Ctor = new (address: string, creds: grpc.ChannelCredentials, opts: object) => grpc.Client

let constructors: Promise<Record<ServiceName, Ctor>> | undefined

/**
 * grpc-js's clients for the services, generated from proto.ts on first use: proto-loader (protobufjs)
 * takes a tenth of a second to load and more to generate code, which a CLI run that only lists images
 * (Images.List, decoded by wire.ts) never needs.
 */
function serviceConstructors(): Promise<Record<ServiceName, Ctor>> {
  constructors ??= import('@grpc/proto-loader').then(({ fromJSON }) => build(fromJSON))
  return constructors
}

function build(fromJSON: typeof FromJSON): Record<ServiceName, Ctor> {
  const def = fromJSON(CONTAINERD_API, {
    keepCase: false,
    // int64 as a number: sizeOf refuses anything past 2^53 (which no longer converts to a safe integer)
    // or below zero, so a size from outside is bounded before use.
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: false,
  })
  const pkg = grpc.loadPackageDefinition(def)
  const lookup = (qualified: string): Ctor => {
    let node: unknown = pkg
    for (const part of qualified.split('.')) node = (node as Record<string, unknown>)[part]
    return node as Ctor
  }
  const out = {} as Record<ServiceName, Ctor>
  for (const [k, v] of Object.entries(SERVICES)) out[k as ServiceName] = lookup(v)
  return out
}

type Callback<T> = (err: grpc.ServiceError | null, res: T) => void
type UnaryMethod = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: Callback<unknown>,
) => grpc.ClientUnaryCall
type StreamMethod = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
) => grpc.ClientReadableStream<unknown>
type DuplexMethod = (md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientDuplexStream<unknown, unknown>

export class ContainerdConnection {
  readonly address: Address
  private readonly channel: grpc.Channel
  private readonly clients = new Map<ServiceName, grpc.Client>()
  /** A client without generated methods, for calls whose bytes wire.ts reads and writes itself. */
  private plain: grpc.Client | undefined

  constructor(address: string | Address) {
    this.address = typeof address === 'string' ? parseAddress(address) : address
    this.channel = new grpc.Channel(this.address.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      // A daemon that restarts is back within a second or two: do not wait out grpc's default 2 min.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    })
  }

  /** The socket path: how messages name this daemon. */
  get name(): string {
    return this.address.path
  }

  private async client(service: ServiceName): Promise<grpc.Client> {
    let c = this.clients.get(service)
    if (!c) {
      const Ctor = (await serviceConstructors())[service]
      c = this.clients.get(service)
      if (c) return c
      c = new Ctor(this.address.target, grpc.credentials.createInsecure(), { channelOverride: this.channel })
      this.clients.set(service, c)
    }
    return c
  }

  metadata(ns: string | null, lease?: string): grpc.Metadata {
    const md = new grpc.Metadata()
    if (ns !== null) md.set('containerd-namespace', ns)
    if (lease) md.set('containerd-lease', lease)
    return md
  }

  private async method<T>(service: ServiceName, name: string): Promise<T> {
    const c = (await this.client(service)) as unknown as Record<string, unknown>
    const fn = c[name]
    if (typeof fn !== 'function') throw unavailable(`containerd client has no ${service}.${name}`)
    return (fn as (...a: unknown[]) => unknown).bind(c) as T
  }

  /**
   * One request, one answer. `what` names the operation in errors ("getting image x"). A call that
   * finds no connection waits up to a second for the channel to reconnect and is made once more: a
   * daemon that just restarted answers, one that is down still fails within about a second.
   */
  async unary<Res>(
    service: ServiceName,
    name: string,
    ns: string | null,
    req: unknown,
    what: string,
    opts: CallOptions = {},
  ): Promise<Res> {
    const call = await this.method<UnaryMethod>(service, name)
    return this.retried(() => this.unaryOnce<Res>(call, ns, req, what, opts))
  }

  /**
   * A unary call whose request and answer are bytes Berth encodes and decodes itself (wire.ts): `path`
   * is the method's full name, /package.Service/Method.
   */
  /** A bidirectional stream whose messages Berth encodes and decodes itself (wire.ts). */
  duplexBytes<Req, Res>(
    path: string,
    ns: string,
    serialize: (m: Req) => Buffer,
    deserialize: (b: Buffer) => Res,
    opts: CallOptions = {},
  ): grpc.ClientDuplexStream<Req, Res> {
    return this.plainClient().makeBidiStreamRequest(
      path,
      serialize,
      deserialize,
      this.metadata(ns, opts.lease),
      {},
    )
  }

  private plainClient(): grpc.Client {
    return (this.plain ??= new grpc.Client(this.address.target, grpc.credentials.createInsecure(), {
      channelOverride: this.channel,
    }))
  }

  async unaryBytes<Res>(
    path: string,
    ns: string | null,
    req: Buffer,
    decode: (answer: Buffer) => Res,
    what: string,
    opts: CallOptions = {},
  ): Promise<Res> {
    const c = this.plainClient()
    const call: UnaryMethod = (r, md, o, cb) =>
      c.makeUnaryRequest(path, (b: Buffer) => b, decode, r as Buffer, md, o, cb)
    return this.retried(() => this.unaryOnce<Res>(call, ns, req, what, opts))
  }

  private async retried<Res>(once: () => Promise<Res>): Promise<Res> {
    try {
      return await once()
    } catch (e) {
      if (!(e instanceof Error) || !isServiceError(e.cause) || e.cause.code !== grpc.status.UNAVAILABLE)
        throw e
      if (!(await this.reconnected(1000))) throw e
      return once()
    }
  }

  /** Whether the channel reaches READY within `ms`. */
  private reconnected(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    return new Promise((resolve) => {
      const check = () => {
        const state = this.channel.getConnectivityState(true)
        if (state === grpc.connectivityState.READY) return resolve(true)
        if (state === grpc.connectivityState.SHUTDOWN) return resolve(false)
        this.channel.watchConnectivityState(state, deadline, (err) => (err ? resolve(false) : check()))
      }
      check()
    })
  }

  private unaryOnce<Res>(
    call: UnaryMethod,
    ns: string | null,
    req: unknown,
    what: string,
    opts: CallOptions,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError(opts.signal, what))
      const deadline = Date.now() + (opts.timeoutMs ?? UNARY_TIMEOUT_MS)
      const onAbort = () => c.cancel()
      const c = call(req, this.metadata(ns, opts.lease), { deadline }, (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort)
        if (err) reject(fromGrpc(err, this.name, what))
        else resolve(res as Res)
      })
      opts.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** A server stream, yielded message by message; breaking out of the loop cancels the call. */
  async *serverStream<Res>(
    service: ServiceName,
    name: string,
    ns: string | null,
    req: unknown,
    what: string,
    opts: CallOptions = {},
  ): AsyncGenerator<Res> {
    if (opts.signal?.aborted) throw abortError(opts.signal, what)
    const call = (await this.method<StreamMethod>(service, name))(req, this.metadata(ns, opts.lease), {})
    const onAbort = () => call.cancel()
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    let done = false
    try {
      for await (const m of call as AsyncIterable<Res>) yield m
      done = true
    } catch (e) {
      if (opts.signal?.aborted) throw abortError(opts.signal, what)
      throw fromGrpc(e, this.name, what)
    } finally {
      opts.signal?.removeEventListener('abort', onAbort)
      if (!done) call.cancel()
    }
  }

  async duplex<Req, Res>(
    service: ServiceName,
    name: string,
    ns: string,
    opts: CallOptions = {},
  ): Promise<grpc.ClientDuplexStream<Req, Res>> {
    return (await this.method<DuplexMethod>(service, name))(
      this.metadata(ns, opts.lease),
      {},
    ) as grpc.ClientDuplexStream<Req, Res>
  }

  close(): void {
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
    this.plain?.close()
    this.plain = undefined
    this.channel.close()
  }
}

export function abortError(signal: AbortSignal, what: string): Error {
  if (signal.reason instanceof Error) return signal.reason
  const e = new Error(`${what}: cancelled`)
  e.name = 'AbortError'
  return e
}

// ---------------------------------------------------------------------------------------------------
// Wire values → model values. The daemon is outside Berth: sizes and times are checked, not trusted.

export interface Timestamp {
  seconds: string | number
  nanos: number
}

export function toDate(t: Timestamp | null | undefined): Date {
  if (!t) return new Date(0)
  const s = Number(t.seconds)
  const ms = s * 1000 + Math.floor((t.nanos ?? 0) / 1e6)
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : new Date(0)
}

export function fromDate(d: Date): Timestamp {
  const ms = d.getTime()
  const seconds = Math.floor(ms / 1000)
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 }
}

/** An int64 size from the daemon: a whole number of bytes that JavaScript holds exactly. */
export function sizeOf(v: string | number | null | undefined, what: string): number {
  const n = Number(v ?? 0)
  if (!Number.isSafeInteger(n) || n < 0)
    throw unavailable(`containerd answered an impossible size ${String(v)} for ${what}`)
  return n
}
