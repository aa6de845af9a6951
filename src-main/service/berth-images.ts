// The use cases the `berth` command line runs (the app's own use cases live beside this file): each
// takes an open Berth and plain arguments and returns plain data, which the CLI prints as a table or
// as JSON.
import { createReadStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { gc, type GcResult } from '../core/gc'
import { invalidArgument, isKind } from '../core/errors'
import {
  check,
  config as imageConfig,
  manifest as imageManifest,
  platforms as imagePlatforms,
  rootFS,
  size as imageSize,
} from '../core/images/image'
import type { Image } from '../core/images/store'
import { validateNamespace } from '../core/namespace'
import type { Descriptor, Digest, Manifest, Platform } from '../core/oci'
import {
  defaultMatcher,
  format,
  ordered,
  parse as parsePlatform,
  type MatchComparer,
} from '../core/platforms'
import { blobPath } from '../core/content/layout'
import type { Info } from '../core/content/store'
import { validateLabel } from '../core/labels'
import {
  exportArchive,
  exportDirectory,
  type ExportOptions,
  type ExportResult,
} from '../core/transfer/export'
import { importArchive, type ImportOptions, type ImportResult } from '../core/transfer/import'
import type { Berth } from './berth'
import { labelEdit } from './labels'

export interface ImageRow {
  name: string
  mediaType: string
  digest: Digest
  /** containerd's Image.Size for the host platform; null when it cannot be computed (missing blobs). */
  size: number | null
  /** Formatted, de-duplicated, sorted (ctr's PLATFORMS column). */
  platforms: string[]
  labels: Record<string, string>
  createdAt: string
  updatedAt: string
}

export async function importImage(
  b: Berth,
  ns: string,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  try {
    return await importArchive(b, ns, file, opts)
  } catch (e) {
    // The import took its blobs back out of the namespace; collect their files now.
    try {
      gc(b.db, { root: b.storeRoot, now: b.now })
    } catch {
      // The import's own error is the one to report.
    }
    throw e
  }
}

export async function exportImages(
  b: Berth,
  ns: string,
  names: string[],
  out: string,
  opts: ExportOptions & { directory?: boolean; stream?: NodeJS.WritableStream } = {},
): Promise<ExportResult> {
  if (opts.directory) return exportDirectory(b, ns, names, out, opts)
  return exportArchive(b, ns, names, out, { ...opts, stream: opts.stream as Writable | undefined })
}

function hostMatcher(b: Berth): MatchComparer {
  return defaultMatcher(b.host)
}

export async function listImages(b: Berth, ns: string, filters: string[] = []): Promise<ImageRow[]> {
  validateNamespace(ns)
  const p = b.content.provider(ns)
  const out: ImageRow[] = []
  for (const img of b.images.list(ns, ...filters)) {
    let size: number | null = null
    try {
      size = await imageSize(p, img.target, hostMatcher(b))
    } catch {
      size = null
    }
    let platforms: string[] = []
    try {
      platforms = [...new Set((await imagePlatforms(p, img.target)).map((x) => format(x)))].sort()
    } catch {
      platforms = []
    }
    out.push({
      name: img.name,
      mediaType: img.target.mediaType,
      digest: img.target.digest,
      size,
      platforms,
      labels: img.labels,
      createdAt: img.createdAt.toISOString(),
      updatedAt: img.updatedAt.toISOString(),
    })
  }
  return out
}

export interface PlatformCheck {
  platform: string
  complete: boolean
  required: number
  present: number
  requiredBytes: number
  presentBytes: number
  missing: Descriptor[]
}

export interface ImageCheck {
  name: string
  mediaType: string
  digest: Digest
  /** complete when every platform's config and layers are present. */
  status: 'complete' | 'incomplete' | 'error'
  required: number
  present: number
  requiredBytes: number
  presentBytes: number
  platforms: PlatformCheck[]
  error?: string
}

/** Checks every platform the image lists (not only the host's), as well as the image as a whole. */
export async function checkImages(b: Berth, ns: string, filters: string[] = []): Promise<ImageCheck[]> {
  validateNamespace(ns)
  const p = b.content.provider(ns)
  const out: ImageCheck[] = []
  for (const img of b.images.list(ns, ...filters)) {
    const row: ImageCheck = {
      name: img.name,
      mediaType: img.target.mediaType,
      digest: img.target.digest,
      status: 'complete',
      required: 0,
      present: 0,
      requiredBytes: 0,
      presentBytes: 0,
      platforms: [],
    }
    try {
      let ps: (Platform | undefined)[]
      try {
        const seen = new Map<string, Platform>()
        for (const x of await imagePlatforms(p, img.target)) seen.set(`${format(x)}:${x.osVersion ?? ''}`, x)
        ps = seen.size > 0 ? [...seen.values()] : [undefined]
      } catch (e) {
        if (!isKind(e, 'not-found')) throw e
        ps = [undefined]
      }
      const required = new Map<string, Descriptor>()
      const present = new Set<string>()
      for (const platform of ps) {
        const r = await check(p, img.target, platform ? ordered(platform) : undefined)
        for (const d of r.required) required.set(d.digest, d)
        for (const d of r.present) present.add(d.digest)
        const sum = (ds: Descriptor[]) => ds.reduce((n, d) => n + d.size, 0)
        row.platforms.push({
          platform: platform ? format(platform) + (platform.osVersion ? `:${platform.osVersion}` : '') : '-',
          complete: r.available && r.missing.length === 0,
          required: r.required.length,
          present: r.present.length,
          requiredBytes: sum(r.required),
          presentBytes: sum(r.present),
          missing: r.missing,
        })
      }
      row.required = required.size
      row.present = present.size
      for (const d of required.values()) {
        row.requiredBytes += d.size
        if (present.has(d.digest)) row.presentBytes += d.size
      }
      if (row.platforms.some((x) => !x.complete)) row.status = 'incomplete'
    } catch (e) {
      row.status = 'error'
      row.error = (e as Error).message
    }
    out.push(row)
  }
  return out
}

export interface ImageInspection {
  name: string
  target: Descriptor
  labels: Record<string, string>
  createdAt: string
  updatedAt: string
  platforms: string[]
  platform: string
  manifest: Manifest
  config: Descriptor
  configJSON: unknown
  diffIds: Digest[]
}

export async function inspectImage(
  b: Berth,
  ns: string,
  name: string,
  platform?: string,
): Promise<ImageInspection> {
  validateNamespace(ns)
  const img = b.images.get(ns, name)
  const p = b.content.provider(ns)
  const m = platform ? ordered(parsePlatform(platform)) : hostMatcher(b)
  const man = await imageManifest(p, img.target, m)
  const cfg = await imageConfig(p, img.target, m)
  const configJSON = JSON.parse(Buffer.from(await p.readBlob(cfg)).toString('utf8'))
  const ps = [...new Set((await imagePlatforms(p, img.target)).map((x) => format(x)))].sort()
  return {
    name: img.name,
    target: img.target,
    labels: img.labels,
    createdAt: img.createdAt.toISOString(),
    updatedAt: img.updatedAt.toISOString(),
    platforms: ps,
    platform:
      configJSON && typeof configJSON === 'object'
        ? format({
            os: configJSON.os ?? '',
            architecture: configJSON.architecture ?? '',
            variant: configJSON.variant,
          })
        : '',
    manifest: man,
    config: cfg,
    configJSON,
    diffIds: await rootFS(p, img.target, m),
  }
}

/** ctr images tag: a new name for the same target; an existing one only with force. */
export function tagImage(b: Berth, ns: string, source: string, targets: string[], force = false): Image[] {
  validateNamespace(ns)
  const src = b.images.get(ns, source)
  return b.images.transaction(() =>
    targets.map((name) => {
      const image = { name, target: src.target, labels: src.labels }
      if (force) {
        try {
          b.images.delete(ns, name)
        } catch (e) {
          if (!isKind(e, 'not-found')) throw e
        }
      }
      return b.images.create(ns, image)
    }),
  )
}

export interface RemoveResult {
  removed: string[]
  notFound: string[]
  gc?: GcResult
}

/** ctr images rm: absent names are reported, not fatal; --sync collects before returning. */
export function removeImages(b: Berth, ns: string, names: string[], sync = false): RemoveResult {
  validateNamespace(ns)
  const out: RemoveResult = { removed: [], notFound: [] }
  for (const n of names) {
    try {
      b.images.delete(ns, n)
      out.removed.push(n)
    } catch (e) {
      if (!isKind(e, 'not-found')) throw e
      out.notFound.push(n)
    }
  }
  if (sync) out.gc = gc(b.db, { root: b.storeRoot, now: b.now })
  return out
}

/** KEY=VALUE sets, KEY= (or KEY alone) removes. */
export function parseLabelArgs(args: string[]): Record<string, string> {
  const out = new Map<string, string>()
  for (const a of args) {
    const i = a.indexOf('=')
    const k = i < 0 ? a : a.slice(0, i)
    const v = i < 0 ? '' : a.slice(i + 1)
    if (k === '') throw invalidArgument(`label ${JSON.stringify(a)}: the key is empty (want KEY=VALUE)`)
    if (v !== '') validateLabel(k, v)
    out.set(k, v)
  }
  // Own keys throughout: `__proto__=x` is a label like any other.
  return Object.fromEntries(out)
}

/** ctr's KEY= means "remove KEY". */
function removingEmpty(labels: Record<string, string>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v === '' ? null : v]))
}

export function labelImage(
  b: Berth,
  ns: string,
  name: string,
  labels: Record<string, string>,
  replaceAll = false,
): Image {
  validateNamespace(ns)
  const img = b.images.get(ns, name)
  const edit = labelEdit(removingEmpty(labels))
  return b.images.update(
    ns,
    { name, target: img.target, labels: edit.labels },
    ...(replaceAll ? ['labels'] : edit.paths),
  )
}

export async function listContent(b: Berth, ns: string, filters: string[] = []): Promise<Info[]> {
  const out: Info[] = []
  await b.content.walk(ns, (info) => void out.push(info), ...filters)
  return out
}

export async function labelContent(
  b: Berth,
  ns: string,
  digest: Digest,
  labels: Record<string, string>,
): Promise<Info> {
  const edit = labelEdit(removingEmpty(labels))
  // Nothing to change: containerd's ctr shows the labels instead of clearing them.
  if (edit.paths.length === 0) return b.content.info(ns, digest)
  return b.content.update(ns, { digest, labels: edit.labels }, ...edit.paths)
}

/** The blob's bytes as a stream (NotFound when the namespace has no such blob). */
export async function contentStream(b: Berth, ns: string, digest: Digest): Promise<NodeJS.ReadableStream> {
  await b.content.info(ns, digest)
  return createReadStream(blobPath(b.storeRoot, digest), { highWaterMark: 1 << 20 })
}

export function collectGarbage(b: Berth, dryRun = false): GcResult {
  return gc(b.db, { root: b.storeRoot, dryRun, now: b.now })
}
