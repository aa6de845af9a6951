// The store's own index.json lists the images, so that the store directory is an OCI layout other
// tools can open by name: `skopeo inspect oci:<store>:docker.io/library/app:1`, `umoci ls --layout`.
// The database stays the source of truth; this file is a projection rewritten when it drifts.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from '../db'
import { AnnotationImageName, AnnotationRefName, type Descriptor } from '../oci'
import { INDEX_FILE, fsyncDir, statBlob, syncDirBestEffort } from './layout'

/** Tells containerd-aware readers which namespace an entry came from. */
export const AnnotationNamespace = 'io.containerd.namespace'

interface Row {
  namespace: string
  name: string
  target_media_type: string
  target_digest: string
  target_size: number
}

/** The index.json the layout should hold now: every image whose target blob is on disk. */
export function layoutIndex(db: Database, root: string): string {
  const rows = db
    .prepare(
      'SELECT namespace, name, target_media_type, target_digest, target_size FROM images ORDER BY namespace, name',
    )
    .all() as Row[]
  const manifests: Descriptor[] = []
  for (const r of rows) {
    if (!statBlob(root, r.target_digest)) continue
    manifests.push({
      mediaType: r.target_media_type,
      digest: r.target_digest,
      size: r.target_size,
      annotations: {
        [AnnotationImageName]: r.name,
        [AnnotationRefName]: r.name,
        [AnnotationNamespace]: r.namespace,
      },
    })
  }
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })
}

/** Rewrites <root>/index.json atomically when it differs from the database; returns whether it did. */
export function syncLayoutIndex(db: Database, root: string, dirSync = fsyncDir): boolean {
  const file = join(root, INDEX_FILE)
  const want = layoutIndex(db, root)
  if (existsSync(file) && readFileSync(file, 'utf8') === want) return false
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, want, { mode: 0o644 })
  renameSync(tmp, file)
  syncDirBestEffort(root, dirSync)
  return true
}
