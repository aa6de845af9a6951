// Pull, push and logins for the app, over the same core functions the CLI uses. The credential store
// is injected: Electron main passes one encrypted with safeStorage, the test bridge one with a test
// cipher. Secrets go from a LoginRequest to the store and the registry, and nowhere else: no result,
// event or error carries one.
import type {
  JobBlob,
  LoginRequest,
  PullRequest,
  PushRequest,
  RegistryLogin,
  RemoteImageInfo,
  RemotePlatform,
} from '../../src-preload/api'
import { invalidArgument } from '../core/errors'
import { isIndexType, isManifestType } from '../core/images/handlers'
import type { Platform } from '../core/oci'
import { defaultMatcher, formatAll, parse as parsePlatform } from '../core/platforms'
import type { RegistryOptions } from '../core/transfer/registry/client'
import {
  chainSources,
  normalizeHost,
  type CredentialSource,
  type CredentialStore,
} from '../core/transfer/registry/credentials'
import type { BlobProgress } from '../core/transfer/registry/fetch'
import type { TransportOptions } from '../core/transfer/registry/http'
import { login, logout } from '../core/transfer/registry/login'
import { pull } from '../core/transfer/registry/pull'
import { push } from '../core/transfer/registry/push'
import { endpointHost, parseReference, validateRegistryHost } from '../core/transfer/registry/reference'
import { inspectRemote } from '../core/transfer/registry/remote'
import { realContentStore, type ServiceContext } from './context'
import type { JobBody, JobReport } from './jobs'

export interface RegistryDeps {
  /** The app's own logins; implementations keep secrets encrypted. */
  logins: CredentialStore
  /** Consulted after the app's logins, e.g. the user's Docker configuration. */
  sources?: CredentialSource[]
  /** Connection settings for every registry (tests add their CA here). */
  transport?: Pick<TransportOptions, 'ca' | 'timeoutMs' | 'retries' | 'backoffMs' | 'resolver'>
}

function options(deps: RegistryDeps, host: string | null, insecure: boolean | undefined): RegistryOptions {
  return {
    ...deps.transport,
    ...(insecure && host ? { insecureHosts: [host] } : {}),
    credentials: chainSources(deps.logins, ...(deps.sources ?? [])),
    userAgent: 'berth-app',
  }
}

/** The registry host a reference talks to; a bad reference is the InvalidArgument the UI shows. */
function hostOf(ref: string): string {
  return endpointHost(parseReference(ref).domain)
}

const contentStore = (ctx: ServiceContext) => realContentStore(ctx, 'pull and push')

function platformParts(p: Platform): Omit<RemotePlatform, 'runnable' | 'best'> {
  return {
    platform: formatAll(p),
    os: p.os,
    architecture: p.architecture,
    ...(p.variant ? { variant: p.variant } : {}),
    ...(p.osVersion ? { osVersion: p.osVersion } : {}),
  }
}

export async function inspect(
  ctx: ServiceContext,
  deps: RegistryDeps,
  req: { ref: string; insecure?: boolean },
): Promise<RemoteImageInfo> {
  const host = hostOf(req.ref)
  const r = await inspectRemote(req.ref, { registry: options(deps, host, req.insecure) })
  const m = defaultMatcher(ctx.host)
  const runnable = r.platforms.filter((p) => m.match(p))
  const best = [...runnable].sort((a, b) => (m.less(a, b) ? -1 : m.less(b, a) ? 1 : 0))[0]
  return {
    name: r.name,
    digest: r.desc.digest,
    mediaType: r.desc.mediaType,
    size: r.desc.size,
    kind: isIndexType(r.desc.mediaType) ? 'index' : isManifestType(r.desc.mediaType) ? 'manifest' : 'other',
    platforms: r.platforms.map((p) => ({
      ...platformParts(p),
      runnable: runnable.includes(p),
      best: p === best,
    })),
  }
}

/** Turns the core's per-blob callbacks into coalesced job progress: totals plus every blob's state. */
function blobReporter(progress: JobReport, phase: string): (p: BlobProgress) => void {
  const blobs = new Map<string, JobBlob>()
  return (p) => {
    blobs.set(p.digest, {
      digest: p.digest,
      mediaType: p.mediaType,
      size: p.size,
      offset: p.offset,
      state: p.state,
    })
    let done = 0
    let total = 0
    for (const b of blobs.values()) {
      total += b.size
      done += b.state === 'waiting' ? 0 : Math.min(b.offset, b.size)
    }
    progress(phase, done, total, [...blobs.values()])
  }
}

function platformList(ps: string[] | undefined, what: string): Platform[] {
  return (ps ?? []).map((s) => {
    try {
      return parsePlatform(s)
    } catch (e) {
      throw invalidArgument(`${what}: ${(e as Error).message}`)
    }
  })
}

/** Checks what it can before the job starts, so a bad reference is an answer rather than a failed job. */
export function pullJob(ctx: ServiceContext, deps: RegistryDeps, req: PullRequest): JobBody {
  const host = hostOf(req.ref)
  const cs = contentStore(ctx)
  const platforms = req.platforms === 'all' ? 'all' : platformList(req.platforms, 'pull')
  return async (signal, progress) => {
    progress('resolving', 0, 0)
    const r = await pull({
      cs,
      images: ctx.images,
      db: ctx.db,
      ns: req.namespace,
      ref: req.ref,
      platforms,
      ...(ctx.host ? { host: ctx.host } : {}),
      registry: options(deps, host, req.insecure),
      signal,
      onProgress: blobReporter(progress, 'downloading'),
    })
    return { images: [r.image.name] }
  }
}

export async function pushJob(ctx: ServiceContext, deps: RegistryDeps, req: PushRequest): Promise<JobBody> {
  const ref = req.ref?.trim() || req.name
  const host = hostOf(ref)
  const cs = contentStore(ctx)
  await ctx.images.get(req.namespace, req.name)
  const platforms = platformList(req.platforms, 'push')
  return async (signal, progress) => {
    progress('preparing', 0, 0)
    const r = await push({
      cs,
      images: ctx.images,
      ns: req.namespace,
      name: req.name,
      ref,
      platforms,
      registry: options(deps, host, req.insecure),
      signal,
      onProgress: blobReporter(progress, 'uploading'),
    })
    return { images: [r.name] }
  }
}

export async function loginTo(deps: RegistryDeps, req: LoginRequest): Promise<RegistryLogin> {
  const host = validateRegistryHost(normalizeHost(req.host))
  if (req.username === '' || req.secret === '')
    throw invalidArgument('logging in needs both a username and a password')
  const { credentials: _drop, ...registry } = options(deps, endpointHost(host), req.insecure)
  void _drop
  await login({
    host,
    credentials: { username: req.username, secret: req.secret },
    store: deps.logins,
    registry,
  })
  return { host, username: req.username }
}

export async function logoutFrom(deps: RegistryDeps, host: string): Promise<{ removed: boolean }> {
  return { removed: await logout(host, deps.logins) }
}

export const listLogins = (deps: RegistryDeps): Promise<RegistryLogin[]> => deps.logins.list()
