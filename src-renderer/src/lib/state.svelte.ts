// The app's shared state: where the user is, which namespace, running jobs and messages. Views read it
// and bump `revision` when the store changes so every visible list reloads once.
import type {
  AppInfo,
  HostState,
  JobBlob,
  JobDone,
  JobKind,
  JobProgress,
  NamespaceInfo,
} from '../../../src-preload/api'

export type View =
  | { name: 'images' }
  | { name: 'image'; image: string; tab?: DetailTab; platform?: string }
  | { name: 'content' }
  | { name: 'registries' }

export type DetailTab = 'overview' | 'platforms' | 'labels' | 'content' | 'config' | 'raw'

export interface JobState {
  id: string
  kind: JobKind
  label: string
  phase: string
  done: number
  total: number
  finished?: JobDone
  /** Pull and push: each blob's progress. */
  blobs?: JobBlob[]
}

export interface Toast {
  id: number
  kind: 'info' | 'ok' | 'error'
  text: string
}

/** Toasts shown at once. */
export const MAX_TOASTS = 4

class AppState {
  namespace = $state('default')
  namespaces = $state<NamespaceInfo[]>([])
  view = $state<View>({ name: 'images' })
  info = $state<AppInfo | null>(null)
  /** Bumped on every store change (ours or another process's). */
  revision = $state(0)
  jobs = $state<JobState[]>([])
  toasts = $state<Toast[]>([])
  /** Set by the menu: the images view acts on it and clears it. */
  pendingCommand = $state<string | null>(null)
  /** The store host's state as main last reported it; 'ready' until told otherwise. */
  host = $state<Pick<HostState, 'state' | 'message'>>({ state: 'ready' })
  private nextToast = 1

  toast(kind: Toast['kind'], text: string, ms = 5000): void {
    const id = this.nextToast++
    // Failed jobs leave toasts that stay until dismissed; past a handful they would climb over the
    // window and the page under them, so the oldest make way.
    this.toasts = [...this.toasts, { id, kind, text }].slice(-MAX_TOASTS)
    if (ms > 0) setTimeout(() => this.dismiss(id), ms)
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id)
  }

  jobProgress(p: JobProgress): void {
    this.jobs = this.jobs.map((j) =>
      j.id === p.id
        ? { ...j, phase: p.phase, done: p.done, total: p.total, ...(p.blobs ? { blobs: p.blobs } : {}) }
        : j,
    )
  }

  jobDone(d: JobDone): void {
    this.jobs = this.jobs.map((j) =>
      j.id === d.id ? { ...j, finished: d, done: j.total || 1, total: j.total || 1 } : j,
    )
    setTimeout(() => (this.jobs = this.jobs.filter((j) => j.id !== d.id)), 4000)
  }

  /** Shows a job started by a call in the jobs panel until its job.done arrives. */
  addJob(id: string, kind: JobKind, label: string): void {
    this.jobs = [...this.jobs, { id, kind, label, phase: 'starting', done: 0, total: 0 }]
  }

  reset(): void {
    this.namespace = 'default'
    this.namespaces = []
    this.view = { name: 'images' }
    this.info = null
    this.revision = 0
    this.jobs = []
    this.toasts = []
    this.pendingCommand = null
    this.host = { state: 'ready' }
  }
}

export const app = new AppState()
