// What the file tests share: a real SQLite file, an in-memory provider over a fixture's blobs, and a walk
// of a directory unpacked by a real tool, in the shape the merged tree is compared in.
import { spawnSync } from 'node:child_process'
import { lstatSync, readdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Provider } from '../../src-main/core/content/provider'
import { notFound } from '../../src-main/core/errors'
import type { ImageLayer } from '../../src-main/core/files/index-image'
import type { TreeRow } from '../../src-main/core/files/listing'
import type { BlobMap } from '../fixtures/blobs'
import type { PlatformImage } from '../fixtures/images'

export function memoryProvider(blobs: BlobMap): Provider {
  return {
    readBlob: async (d) => {
      const b = blobs.get(d.digest)
      if (!b) throw notFound(`content digest ${d.digest}: not found`)
      return b
    },
    has: async (d) => blobs.has(d.digest),
  }
}

export function imageLayers(img: PlatformImage, verified = false): ImageLayer[] {
  return img.layers.map((l, i) => ({ desc: l.desc, diffId: img.diffIds[i], verified }))
}

export interface Seen {
  path: string
  type: string
  mode: number
  size: number
  link: string
}

/** Every entry under `root` as lstat sees it (hardlinks are files: they are, once unpacked). */
export function walkDir(root: string): Seen[] {
  const out: Seen[] = []
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(p)
      const type = st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isFile()
            ? 'file'
            : st.isCharacterDevice()
              ? 'char'
              : st.isBlockDevice()
                ? 'block'
                : st.isFIFO()
                  ? 'fifo'
                  : 'other'
      out.push({
        path: r,
        type,
        mode: st.mode & 0o7777,
        size: type === 'file' ? st.size : 0,
        link: type === 'symlink' ? readlinkSync(p) : '',
      })
      if (type === 'dir') visit(p, r)
    }
  }
  visit(root, '')
  return out.sort((a, b) => (a.path < b.path ? -1 : 1))
}

/** The merged tree in the same shape (a hardlink is a file; its link target is not part of a walk). */
export function seenOf(rows: TreeRow[]): Seen[] {
  return rows
    .map((r) => ({
      path: r.path,
      type: r.type === 'hardlink' ? 'file' : r.type,
      mode: r.mode,
      size: r.type === 'file' || r.type === 'hardlink' ? r.size : 0,
      link: r.type === 'symlink' ? r.link : '',
    }))
    .sort((a, b) => (a.path < b.path ? -1 : 1))
}

export function toolMissing(tool: string): string | null {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' })
  return r.error ? `${tool} is not installed` : null
}
