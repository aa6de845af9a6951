// The files.* channels over one store context: Berth's own, or a containerd source's mirror (whose blobs
// stream from the daemon's Content service). `ready` brings a source up to date before a call reads it.
import type { Channel, JobRef } from '../../src-preload/api'
import type { ServiceContext } from './context'
import {
  compareFiles,
  filesOverview,
  indexFilesJob,
  listFiles,
  readFile,
  saveFilesJob,
  searchFiles,
  statFile,
  wastedFiles,
} from './files'
import type { Handlers } from './index'
import type { JobBody, JobKind } from './jobs'

export const FILES_CHANNELS = [
  'files.layers',
  'files.index',
  'files.list',
  'files.search',
  'files.wasted',
  'files.stat',
  'files.read',
  'files.save',
  'files.compare',
] as const satisfies readonly Channel[]

export type FilesChannel = (typeof FILES_CHANNELS)[number]

export type StartJob = (kind: JobKind, body: JobBody) => JobRef

export function filesChannels(
  ctx: ServiceContext,
  job: StartJob,
  ready: (ns: string) => Promise<unknown> = async () => undefined,
): Pick<Handlers, FilesChannel> {
  return {
    'files.layers': async (req) => (await ready(req.namespace), filesOverview(ctx, req)),
    'files.index': async (req) => (await ready(req.namespace), job('index', await indexFilesJob(ctx, req))),
    'files.list': async (req) => (await ready(req.namespace), listFiles(ctx, req)),
    'files.search': async (req) => (await ready(req.namespace), searchFiles(ctx, req)),
    'files.wasted': async (req) => (await ready(req.namespace), wastedFiles(ctx, req)),
    'files.stat': async (req) => (await ready(req.namespace), statFile(ctx, req)),
    'files.read': async (req) => (await ready(req.namespace), readFile(ctx, req)),
    'files.save': async (req) => (await ready(req.namespace), job('save', saveFilesJob(ctx, req))),
    'files.compare': async (req) => (await ready(req.namespace), compareFiles(ctx, req)),
  }
}
