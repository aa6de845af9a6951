// A throwaway podman (no daemon) for interop tests: its own vfs storage, run and tmp directories under a
// temp directory, each command run in a private mount namespace with tmpfs over /var/lib and /run so that
// what podman caches or records outside its storage (the blob-info cache in /var/lib/containers, network
// state in /run/containers) never lands on this machine. Undefined, with the reason printed, where podman
// is not installed or cannot run that way (it needs root for the namespace).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Podman {
  /** A podman whose storage is a fresh directory of its own: each test sees only what it loaded. */
  fresh(): PodmanStore
  stop(): void
}

export interface PodmanStore {
  run(...args: string[]): string
}

// The mounts happen inside the new namespace only; `exec` hands it to podman.
const ISOLATE = 'mount -t tmpfs tmpfs /var/lib && mount -t tmpfs tmpfs /run && exec "$@"'

function storeAt(dir: string): PodmanStore {
  for (const d of ['root', 'run', 'tmp', 'net', 'vol']) mkdirSync(join(dir, d), { recursive: true })
  // The host's storage.conf could add image stores or driver options: this one names only ours.
  const conf = join(dir, 'storage.conf')
  writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/root"\nrunroot = "${dir}/run"\n`)
  const flags = [
    ...['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp')],
    ...['--network-config-dir', join(dir, 'net'), '--volumepath', join(dir, 'vol')],
    ...['--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'],
  ]
  return {
    run(...args) {
      const r = spawnSync(
        'unshare',
        ['-m', '--propagation', 'private', 'sh', '-c', ISOLATE, 'sh', 'podman', ...flags, ...args],
        {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          env: { ...process.env, CONTAINERS_STORAGE_CONF: conf },
          timeout: 20_000,
        },
      )
      if (r.status !== 0) {
        throw new Error(`podman ${args.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim()}`)
      }
      return r.stdout
    },
  }
}

export function startPodman(): Podman | undefined {
  for (const tool of ['podman', 'unshare']) {
    if (spawnSync('which', [tool]).status !== 0) {
      console.warn(`skipping podman interop: ${tool} is not installed (apt-get install ${tool})`)
      return undefined
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-podman-'))
  let n = 0
  const podman: Podman = {
    fresh: () => storeAt(join(dir, `s${n++}`)),
    stop: () => rmSync(dir, { recursive: true, force: true }),
  }
  try {
    podman.fresh().run('images', '-q')
    return podman
  } catch (e) {
    console.warn(`skipping podman interop: podman cannot run here: ${(e as Error).message.split('\n')[0]}`)
    podman.stop()
    return undefined
  }
}
