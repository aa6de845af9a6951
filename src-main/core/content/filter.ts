// containerd's content adaptors (core/metadata/adaptors.go adaptContentInfo, adaptContentStatus), for
// Walk, ListStatuses and the app's content list. Upstream switches on the first element only, so
// `digest.x` is the digest too; `size` is absent there (a TODO), and the app adds it on top, not here.
import type { Adaptor } from '../filters'

export function adaptContent(info: { digest: string; labels: Record<string, string> }): Adaptor {
  return (path) => {
    if (path[0] === 'digest') return info.digest
    if (path[0] === 'labels' && path.length > 1) {
      // Fieldpath elements after the first are re-joined with '.', as checkMap does.
      const key = path.slice(1).join('.')
      return Object.hasOwn(info.labels, key) ? info.labels[key] : undefined
    }
    return undefined
  }
}

/** Ingest statuses filter on `ref` alone (again on the first element only). */
export function adaptContentStatus(status: { ref: string }): Adaptor {
  return (path) => (path[0] === 'ref' ? status.ref : undefined)
}
