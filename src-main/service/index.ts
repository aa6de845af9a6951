// The use cases behind the contract, one function per channel, each returning plain data. Electron-free:
// main binds these to IPC (src-main/ipc.ts), the test bridge to HTTP, and both validate arguments first.
import type {
  AppInfo,
  Channel,
  ChannelArgs,
  ChannelResult,
  Events,
  EventName,
  NamespaceInfo,
} from '../../src-preload/api'
import type { ServiceContext } from './context'
import { listContent, setContentLabels } from './content'
import { gcPreview, gcRun, removeImages, removePreview } from './gc'
import { blobJson, imageDetails } from './image-details'
import { imageSummary, listImages } from './images-list'
import { Jobs, type JobBody, type JobKind } from './jobs'
import { filesChannels } from './files-channels'
import { setImageLabels } from './labels'
import { tagImage } from './tag'
import { createTickets } from './tickets'
import { inspect, listLogins, loginTo, logoutFrom, pullJob, pushJob, type RegistryDeps } from './registry'
import { validateNamespace } from '../core/namespace'
import { alreadyExists, isKind, notImplemented } from '../core/errors'
import { withSources, type SourcesChannel } from './sources/channels'
import { Sources, type SourcesOptions } from './sources/registry'

/** A handler may take, after the channel's arguments, a signal that says the caller gave up (tickets.ts). */
export type Handlers = {
  [C in Channel]: (...args: [...ChannelArgs<C>, signal?: AbortSignal]) => Promise<ChannelResult<C>>
}

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void

/** How import and export run: the transfer helpers' functions, adapted to jobs. */
export interface TransferPort {
  /** The names recorded, and notes on what was skipped. */
  importArchive(
    ctx: ServiceContext,
    req: { namespace: string; path: string; platforms?: string[] },
    signal: AbortSignal,
    progress: (phase: string, done: number, total: number) => void,
  ): Promise<{ images: string[]; notes?: string[] }>
  /** Notes on the platforms left out (their content is missing). */
  exportArchive(
    ctx: ServiceContext,
    req: { namespace: string; names: string[]; path: string; platforms?: string[] },
    signal: AbortSignal,
    progress: (phase: string, done: number, total: number) => void,
  ): Promise<{ notes?: string[] }>
}

export interface DialogPort {
  openFile(req: ChannelArgs<'dialogs.openFile'>[0]): Promise<string | null>
  saveFile(req: ChannelArgs<'dialogs.saveFile'>[0]): Promise<string | null>
}

export interface ServiceDeps {
  emit: Emit
  appInfo: () => AppInfo
  transfer?: TransferPort
  dialogs?: DialogPort
  /** Registry access: the app's credential store (safeStorage in Electron, a test cipher in tests). */
  registry?: RegistryDeps
  /** How containerd sources are kept current (tests shorten the intervals). */
  sources?: Pick<SourcesOptions, 'pollMs' | 'syncTtlMs'>
}

/**
 * The handlers for every channel. Image and content calls act on the active source (sources/): Berth's
 * store, or a containerd daemon the user added. `sources.close()` ends the daemons' connections.
 */
export function createHandlers(
  ctx: ServiceContext,
  deps: ServiceDeps,
): Handlers & { jobs: Jobs; sources: Sources } {
  const jobs = new Jobs({
    progress: (p) => deps.emit('job.progress', p),
    done: (d) => deps.emit('job.done', d),
  })
  const needTransfer = (): TransferPort => {
    if (!deps.transfer) throw notImplemented('import and export are not available in this build')
    return deps.transfer
  }
  const needRegistry = (): RegistryDeps => {
    if (!deps.registry) throw notImplemented('registry access is not available in this build')
    return deps.registry
  }
  const job = (kind: JobKind, body: JobBody) => jobs.start(kind, body)
  const tickets = createTickets()
  const sources = new Sources(ctx, {
    ...deps.sources,
    job,
    onChange: () => deps.emit('store.changed', { source: 'external', at: new Date().toISOString() }),
  })
  const local: Omit<Handlers, SourcesChannel> = {
    'app.info': async () => deps.appInfo(),
    'namespaces.list': async () => namespaces(ctx),
    'images.list': (req) => listImages(ctx, req),
    'images.details': (req, signal) => imageDetails(ctx, req.namespace, req.name, { signal }),
    'images.blob': (req) => blobJson(ctx, req.namespace, req.digest),
    'images.setLabels': (req) => setImageLabels(ctx, req),
    'images.tag': async (req) => {
      const ns = validateNamespace(req.namespace)
      try {
        const [image] = tagImage(ctx, ns, req.source, [req.target], { force: req.force })
        return imageSummary(ctx, ns, image.name)
      } catch (e) {
        if (isKind(e, 'already-exists'))
          throw alreadyExists(`${(e as Error).message}: choose Replace to overwrite it`, e)
        throw e
      }
    },
    'images.removePreview': async (req) => removePreview(ctx, req),
    'images.remove': async (req) => removeImages(ctx, req),
    'images.import': async (req) => {
      const t = needTransfer()
      validateNamespace(req.namespace)
      return job('import', (signal, progress) => t.importArchive(ctx, req, signal, progress))
    },
    'images.export': async (req) => {
      const t = needTransfer()
      const ns = validateNamespace(req.namespace)
      for (const n of req.names) ctx.images.get(ns, n)
      return job('export', async (signal, progress) => ({
        path: req.path,
        ...(await t.exportArchive(ctx, req, signal, progress)),
      }))
    },
    'images.pull': async (req) => {
      validateNamespace(req.namespace)
      return job('pull', pullJob(ctx, needRegistry(), req))
    },
    'images.push': async (req) => {
      validateNamespace(req.namespace)
      return job('push', await pushJob(ctx, needRegistry(), req))
    },
    'registry.inspect': (req) => inspect(ctx, needRegistry(), req),
    'registry.logins.list': async () => listLogins(needRegistry()),
    'registry.login': (req) => loginTo(needRegistry(), req),
    'registry.logout': (req) => logoutFrom(needRegistry(), req.host),
    'jobs.cancel': async (req) => ({ cancelled: jobs.cancel(req.id) }),
    'calls.cancel': async (req) => ({ cancelled: tickets.cancel(req.ticket) }),
    'content.list': (req) => listContent(ctx, req),
    'content.setLabels': (req) => setContentLabels(ctx, req),
    'gc.preview': async () => gcPreview(ctx),
    'gc.run': async () => gcRun(ctx),
    'dialogs.openFile': async (req) => (deps.dialogs ? deps.dialogs.openFile(req) : null),
    'dialogs.saveFile': async (req) => (deps.dialogs ? deps.dialogs.saveFile(req) : null),
    ...filesChannels(ctx, job),
  }
  const handlers = withSources(ctx, local, sources, job)
  const details = handlers['images.details']
  return {
    jobs,
    sources,
    ...handlers,
    // Whichever source answers, the renderer's ticket can end the work.
    'images.details': (req) => tickets.run(req.ticket, (signal) => details(req, signal)),
  }
}

/** Counts from the counters the triggers keep (migration 4), not from counting every row. */
function namespaces(ctx: ServiceContext): NamespaceInfo[] {
  const rows = ctx.db
    .prepare(
      `SELECT n.name, coalesce(s.images, 0) AS images, coalesce(s.blobs, 0) AS blobs
         FROM namespaces n LEFT JOIN namespace_stats s ON s.namespace = n.name ORDER BY n.name`,
    )
    .all() as NamespaceInfo[]
  if (!rows.some((r) => r.name === 'default')) rows.unshift({ name: 'default', images: 0, blobs: 0 })
  return rows
}
