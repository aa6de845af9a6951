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
  SourceInfo,
} from '../../../src-preload/api'

export type View =
  | { name: 'images' }
  | { name: 'image'; image: string; tab?: DetailTab; platform?: string }
  | { name: 'content' }
  | { name: 'registries' }
  | { name: 'compare'; a: CompareSide; b: CompareSide }

export type DetailTab = 'overview' | 'platforms' | 'labels' | 'content' | 'files' | 'config' | 'raw'

/** One side of a comparison: an image, and which of its platform manifests (absent: this machine's best). */
export interface CompareSide {
  image: string
  manifest?: string
}

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
  /** Berth's own store and the containerd daemons the user added; one is active. */
  sources = $state<SourceInfo[]>([])
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
  private early = new Map<string, JobDone>()

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
    if (!this.jobs.some((j) => j.id === d.id)) {
      // A quick job can end before the call that started it has answered: keep the outcome for addJob.
      this.early.set(d.id, d)
      if (this.early.size > 50) this.early.delete(this.early.keys().next().value as string)
      return
    }
    this.jobs = this.jobs.map((j) =>
      j.id === d.id ? { ...j, finished: d, done: j.total || 1, total: j.total || 1 } : j,
    )
    setTimeout(() => (this.jobs = this.jobs.filter((j) => j.id !== d.id)), 4000)
  }

  /** Shows a job started by a call in the jobs panel until its job.done arrives. */
  addJob(id: string, kind: JobKind, label: string): void {
    this.jobs = [...this.jobs, { id, kind, label, phase: 'starting', done: 0, total: 0 }]
    const done = this.early.get(id)
    if (done) {
      this.early.delete(id)
      this.jobDone(done)
    }
  }

  /** The source every image and content call acts on (Berth's own store until the user switches). */
  get source(): SourceInfo | undefined {
    return this.sources.find((s) => s.active)
  }

  /** True while a containerd daemon is the active source: what only Berth's store does is hidden. */
  get onDaemon(): boolean {
    return this.source?.kind === 'containerd'
  }

  reset(): void {
    this.namespace = 'default'
    this.namespaces = []
    this.sources = []
    this.view = { name: 'images' }
    this.info = null
    this.revision = 0
    this.jobs = []
    this.toasts = []
    this.pendingCommand = null
    this.early.clear()
    this.host = { state: 'ready' }
  }
}

export const app = new AppState()
