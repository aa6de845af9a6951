// `containerd.io/distribution.source.<host>`: the repositories a blob is known to live in, kept as a
// sorted, de-duplicated, comma-separated list. Pull appends to it; push reads it to mount a blob from a
// sibling repository instead of uploading it again.
import type { ContentStore } from '../../content/store'
import type { Digest } from '../../oci'

export const DISTRIBUTION_SOURCE_PREFIX = 'containerd.io/distribution.source.'

export function sourceLabelKey(host: string): string {
  return `${DISTRIBUTION_SOURCE_PREFIX}${host}`
}

export function mergeSources(existing: string | undefined, repo: string): string {
  const set = new Set((existing ?? '').split(',').filter((s) => s !== ''))
  set.add(repo)
  return [...set].sort().join(',')
}

/** Adds `repo` to the blob's source label for `host` (a hostname without port). */
export async function appendSource(
  cs: ContentStore,
  ns: string,
  digest: Digest,
  host: string,
  repo: string,
): Promise<void> {
  const key = sourceLabelKey(host)
  const info = await cs.info(ns, digest)
  const value = mergeSources(info.labels[key], repo)
  if (value === info.labels[key]) return
  await cs.update(ns, { digest, labels: { [key]: value } }, `labels.${key}`)
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n
}

/**
 * The repository to mount from: of those listed for this host, the one sharing the most leading path
 * components with the target, never the target itself; the first in sorted order on a tie.
 */
export function mountCandidate(
  labels: Record<string, string>,
  host: string,
  target: string,
): string | undefined {
  const listed = (labels[sourceLabelKey(host)] ?? '').split(',').filter((s) => s !== '' && s !== target)
  const t = target.split('/')
  let best: string | undefined
  let bestLen = -1
  for (const repo of listed) {
    const n = commonPrefix(repo.split('/'), t)
    if (n > bestLen) {
      best = repo
      bestLen = n
    }
  }
  return best
}
