// Files data for component tests: an overview of a three-layer image and a small tree to page through,
// answered the way the service answers (pages of a directory, a layer's view with its changes marked).
import type { FileEntry, FilePage, FilesListRequest, FilesOverview } from '../../../src-preload/api'

export const TREE = 'sha256:' + 'c'.repeat(64)

export function overview(extra: Partial<FilesOverview> = {}): FilesOverview {
  const layer = (index: number, command: string) => ({
    index,
    digest: `sha256:${String(index).repeat(64)}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: 1000 * (index + 1),
    diffId: `sha256:${String(index + 5).repeat(64)}`,
    present: true,
    indexed: true,
    command,
    created: null,
    comment: null,
    tarSize: 4096 * (index + 1),
    entries: 10,
    fileBytes: 2048,
    changes: {
      added: 3 - index,
      modified: index,
      removed: index === 1 ? 2 : 0,
      addedBytes: 1,
      modifiedBytes: 1,
      removedBytes: 1,
    },
  })
  const layers = [layer(0, 'ADD rootfs.tar /'), layer(1, 'RUN rm -rf /var/cache'), layer(2, 'COPY app /app')]
  return {
    namespace: 'default',
    name: 'demo:1',
    platform: 'linux/amd64',
    manifestDigest: 'sha256:' + 'd'.repeat(64),
    configDigest: 'sha256:' + 'e'.repeat(64),
    platforms: [
      { platform: 'linux/amd64', manifestDigest: 'sha256:' + 'd'.repeat(64) },
      { platform: 'linux/arm64', manifestDigest: 'sha256:' + 'f'.repeat(64) },
    ],
    tree: TREE,
    indexed: true,
    blocked: null,
    layers,
    history: [
      { command: 'ADD rootfs.tar /', created: null, comment: null, emptyLayer: false, layer: 0 },
      { command: 'ENV A=1', created: null, comment: null, emptyLayer: true, layer: null },
      { command: 'RUN rm -rf /var/cache', created: null, comment: null, emptyLayer: false, layer: 1 },
      { command: 'COPY app /app', created: null, comment: null, emptyLayer: false, layer: 2 },
    ],
    totals: { entries: 1234, allBytes: 100_000, wastedBytes: 25_000, efficiency: 0.75 },
    ...extra,
  }
}

export function entry(path: string, extra: Partial<FileEntry> = {}): FileEntry {
  return {
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 100,
    mtime: 1_700_000_000,
    layer: 0,
    ...extra,
  }
}

/** A root of `n` directories and a /var/cache whose big.bin layer 1 removed. */
export function fakeTree(n = 3): (req: FilesListRequest) => FilePage {
  return (req) => {
    let entries: FileEntry[]
    if (req.dir === '/') {
      entries = Array.from({ length: n }, (_, i) =>
        entry(`/dir${String(i).padStart(5, '0')}`, { type: 'dir', mode: 0o755 }),
      )
      entries.push(entry('/var', { type: 'dir', mode: 0o755 }))
    } else if (req.dir === '/var') {
      entries = [
        entry('/var/cache', { type: 'dir', mode: 0o755, ...(req.layer === 1 ? { touched: true } : {}) }),
      ]
    } else if (req.dir === '/var/cache') {
      entries = [
        entry('/var/cache/big.bin', {
          size: 50_000,
          ...(req.layer === 1 ? { change: 'removed' as const } : {}),
        }),
        entry('/var/cache/keep', { size: 10 }),
      ]
    } else {
      entries = [entry(`${req.dir}/evil\u001b[31mname`), entry(`${req.dir}/notes.txt`)]
    }
    const offset = req.offset ?? 0
    return {
      dir: req.dir,
      total: entries.length,
      offset,
      entries: entries.slice(offset, offset + (req.limit ?? 200)),
    }
  }
}
