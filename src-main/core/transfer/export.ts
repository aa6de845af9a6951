// `images export`: an OCI image layout, as a tar (optionally compressed) or a directory, that ctr,
// skopeo, umoci, podman and docker all read. index.json lists each image's target with both name
// annotations; a Docker manifest.json is added where the images allow it. Output is deterministic:
// entries sorted by name, mtime 0, owner 0:0 without names, fixed modes; blobs are streamed from the
// store and checked against their digests on the way out.
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import type { Writable } from 'node:stream'
import { createGzip, createZstdCompress } from 'node:zlib'
import { blobChunks, type Provider } from '../content/provider'
import { algorithmOf, newHash } from '../digest'
import { failedPrecondition, invalidArgument, unavailable } from '../errors'
import type { ImageStore } from '../images/store'
import { validateNamespace } from '../namespace'
import { MediaTypeOCIIndex, type Descriptor, type Platform } from '../oci'
import type { Compression } from './archive'
import { blobFile, dockerManifestFile } from './docker-manifest'
import { descriptorJSON, planExport, type LeftOut, type MissingBlob, type Plan } from './export-plan'
import { TAR_END, tarHeader, tarPadding } from './tar-writer'
import type { TransferProgress } from './import'

export interface ExportContext {
  content: { provider(ns: string): Provider }
  images: Pick<ImageStore, 'get'>
}

export interface ExportOptions {
  /** Every platform (ctr --all-platforms). */
  allPlatforms?: boolean
  /** These platforms, best first; default: this host only (ctr's DefaultStrict). */
  platforms?: (string | Platform)[]
  /** Leave out the Docker manifest.json. */
  skipDockerManifest?: boolean
  compression?: Compression
  signal?: AbortSignal
  onProgress?: (p: TransferProgress) => void
}

export type { LeftOut, MissingBlob } from './export-plan'

export interface ExportResult {
  images: string[]
  blobs: number
  /** Bytes of blob content written. */
  bytes: number
  /** What the images name but the store does not have: the export holds everything else. */
  missing: MissingBlob[]
  /**
   * Index entries (platforms) left out because some of their content is missing; the image's index was
   * then rewritten to list only what the archive holds.
   */
  leftOut: LeftOut[]
  dockerManifest: boolean
}

const OCI_LAYOUT = Buffer.from('{"imageLayoutVersion":"1.0.0"}')

function plan(ctx: ExportContext, ns: string, names: string[], opts: ExportOptions): Promise<Plan> {
  return planExport(ctx.content.provider(ns), ctx.images, ns, names, opts)
}

interface Sink {
  file(path: string, size: number, body: () => AsyncIterable<Uint8Array> | Buffer): Promise<void>
  dir(path: string): Promise<void>
}

async function emit(
  ctx: ExportContext,
  ns: string,
  p: Plan,
  opts: ExportOptions,
  sink: Sink,
): Promise<{ bytes: number; docker: boolean }> {
  const provider = ctx.content.provider(ns)
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypeOCIIndex,
      manifests: p.entries.map(descriptorJSON),
    }),
  )
  const docker = opts.skipDockerManifest
    ? null
    : await dockerManifestFile(provider, p.choices, (d) => p.blobs.has(d))
  const files = new Map<string, { size: number; body: () => AsyncIterable<Uint8Array> | Buffer }>()
  files.set('oci-layout', { size: OCI_LAYOUT.length, body: () => OCI_LAYOUT })
  files.set('index.json', { size: index.length, body: () => index })
  if (docker) {
    const m = Buffer.from(JSON.stringify(docker))
    files.set('manifest.json', { size: m.length, body: () => m })
  }
  const dirs = new Set<string>()
  for (const d of p.blobs.values()) {
    const path = blobFile(d.digest)
    dirs.add('blobs/')
    dirs.add(`${dirname(path)}/`)
    files.set(path, { size: d.size, body: () => verified(provider, d) })
  }
  for (const [digest, bytes] of p.generated) {
    const path = blobFile(digest)
    dirs.add('blobs/')
    dirs.add(`${dirname(path)}/`)
    files.set(path, { size: bytes.length, body: () => bytes })
  }
  const total = [...files.values()].reduce((n, f) => n + f.size, 0)
  let done = 0
  const names = [...dirs, ...files.keys()].sort()
  for (const name of names) {
    if (opts.signal?.aborted) throw unavailable('export: cancelled')
    if (name.endsWith('/')) {
      await sink.dir(name)
      continue
    }
    const f = files.get(name)!
    opts.onProgress?.({ bytesDone: done, bytesTotal: total, current: name })
    await sink.file(name, f.size, f.body)
    done += f.size
  }
  opts.onProgress?.({ bytesDone: done, bytesTotal: total, current: 'done' })
  return { bytes: done, docker: docker !== null }
}

/** A blob's bytes from the store, refused if they no longer hash to its digest or have another size. */
async function* verified(provider: Provider, d: Descriptor): AsyncIterable<Uint8Array> {
  const alg = algorithmOf(d.digest)
  const h = newHash(alg)
  let n = 0
  for await (const chunk of await blobChunks(provider, d)) {
    h.update(chunk)
    n += chunk.length
    // A descriptor smaller than the stored blob: stop here rather than stream gigabytes into the archive.
    if (n > d.size) break
    yield chunk
  }
  // A Hash can be finalized once: the message needs the same value the comparison used.
  if (n > d.size) {
    throw failedPrecondition(
      `blob ${d.digest} in the store is larger than the ${d.size} bytes its descriptor says: run images check`,
    )
  }
  const got = `${alg}:${h.digest('hex')}`
  if (n !== d.size || got !== d.digest) {
    throw failedPrecondition(
      `blob ${d.digest} in the store is corrupt (${n} bytes, digest ${got}): run images check`,
    )
  }
}

function result(names: string[], p: Plan, bytes: number, docker: boolean): ExportResult {
  return {
    images: names,
    blobs: p.blobs.size + p.generated.size,
    bytes,
    missing: p.missing,
    leftOut: p.leftOut,
    dockerManifest: docker,
  }
}

async function writeAll(out: Writable, data: Uint8Array): Promise<void> {
  if (!out.write(data)) await once(out, 'drain')
}

/**
 * Writes the images as an OCI archive at `file` (atomically: a temporary file renamed at the end), or
 * to `opts.stream` (e.g. stdout, which is left open) when given.
 */
export async function exportArchive(
  ctx: ExportContext,
  ns: string,
  names: string[],
  file: string,
  opts: ExportOptions & { stream?: Writable } = {},
): Promise<ExportResult> {
  validateNamespace(ns)
  if (names.length === 0) throw invalidArgument('export: name at least one image')
  const p = await plan(ctx, ns, names, opts)
  const tmp = `${file}.berth-${process.pid}-${Date.now()}.tmp`
  const target: Writable = opts.stream ?? createWriteStream(tmp)
  let out: Writable = target
  if (opts.compression === 'gzip') out = createGzip({ level: 6 })
  else if (opts.compression === 'zstd') out = createZstdCompress()
  if (out !== target) out.pipe(target, { end: !opts.stream })
  // A failing disk surfaces as the next write's rejection, never as an unhandled 'error' event.
  let streamError: unknown
  const onError = (e: unknown) => {
    streamError ??= e
  }
  target.on('error', onError)
  out.on('error', onError)
  const write = async (data: Uint8Array) => {
    if (streamError) throw unavailable(`writing ${file}: ${(streamError as Error).message}`, streamError)
    await writeAll(out, data)
  }
  try {
    const sink: Sink = {
      dir: (path) => write(tarHeader({ path, type: 'Directory' })),
      file: async (path, size, body) => {
        await write(tarHeader({ path, size }))
        const b = body()
        if (Buffer.isBuffer(b)) await write(b)
        else for await (const c of b) await write(c)
        await write(tarPadding(size))
      },
    }
    const { bytes, docker } = await emit(ctx, ns, p, opts, sink)
    await write(TAR_END)
    if (opts.stream) {
      if (out !== target) {
        out.end()
        await once(out, 'end')
      }
    } else {
      out.end()
      await once(target, 'close')
      if (streamError) throw unavailable(`writing ${file}: ${(streamError as Error).message}`, streamError)
      renameSync(tmp, file)
    }
    return result(names, p, bytes, docker)
  } catch (e) {
    if (out !== target) out.destroy()
    if (!opts.stream) {
      const fs = target as ReturnType<typeof createWriteStream>
      const closed = fs.closed ? Promise.resolve() : once(fs, 'close').catch(() => undefined)
      fs.destroy()
      // The file may only now be opened (and closed): remove it after that.
      await closed
      rmSync(tmp, { force: true })
    }
    throw e
  }
}

/** The same layout written as a directory (created if needed; existing blobs are overwritten). */
export async function exportDirectory(
  ctx: ExportContext,
  ns: string,
  names: string[],
  dir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  validateNamespace(ns)
  if (names.length === 0) throw invalidArgument('export: name at least one image')
  const p = await plan(ctx, ns, names, opts)
  mkdirSync(dir, { recursive: true })
  const sink: Sink = {
    dir: async (path) => void mkdirSync(join(dir, path), { recursive: true }),
    file: async (path, _size, body) => {
      const b = body()
      if (Buffer.isBuffer(b)) return writeFileSync(join(dir, path), b)
      const ws = createWriteStream(join(dir, path))
      let failed: unknown
      ws.on('error', (e) => (failed ??= e))
      try {
        for await (const c of b) {
          if (failed) throw unavailable(`writing ${join(dir, path)}: ${(failed as Error).message}`, failed)
          await writeAll(ws, c)
        }
        ws.end()
        await once(ws, 'close')
        if (failed) throw unavailable(`writing ${join(dir, path)}: ${(failed as Error).message}`, failed)
      } catch (e) {
        ws.destroy()
        rmSync(join(dir, path), { force: true })
        throw e
      }
    },
  }
  const { bytes, docker } = await emit(ctx, ns, p, opts, sink)
  return result(names, p, bytes, docker)
}
