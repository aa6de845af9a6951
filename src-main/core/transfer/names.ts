// Which image records an import creates, following ctr's transfer-service import: names come from the
// `io.containerd.image.name` annotation (kept only when it is a full reference) or the
// `org.opencontainers.image.ref.name` annotation (completed with a base name), plus optional digest
// names and a name for the archive's index itself.
import { invalidArgument } from '../errors'
import type { Descriptor } from '../oci'
import { AnnotationImageName, AnnotationRefName } from '../oci'
import { escapeControls, quoteName } from '../quote'
import { formatReference, parseReference } from './registry/reference'

export interface NamingOptions {
  /** Base name completing bare ref names; when given, only names under it are imported. */
  baseName?: string
  /** Also name images `<base>@<digest>`. */
  digests?: boolean
  /** With `digests`: do not add digest names for entries that already have a name. */
  skipDigestForNamed?: boolean
  /** Record the archive's index itself as an image with this name. */
  indexName?: string
  /** The date-based base name used when none is given (ctr: import-YYYY-MM-DD, local time). */
  now?: () => Date
}

export interface NamedTarget {
  name: string
  target: Descriptor
}

function isImagePrefix(s: string, prefix: string): boolean {
  if (!s.startsWith(prefix)) return false
  return s.length === prefix.length || '/:@'.includes(s[prefix.length])
}

/** containerd's archive.AddRefPrefix / FilterRefPrefix. */
function refTranslator(image: string, checkPrefix: boolean): (ref: string) => string {
  return (ref) => {
    if (image === '') return ''
    if (/[/:@]/.test(ref)) return checkPrefix && !isImagePrefix(ref, image) ? '' : ref
    return `${image}:${ref}`
  }
}

function imageName(annotations: Record<string, string> | undefined, cleanup: (s: string) => string): string {
  const full = annotations?.[AnnotationImageName] ?? ''
  // A containerd name must be complete as it stands; one the translator would change is dropped.
  if (full !== '') return cleanup(full) === full ? full : ''
  const ref = annotations?.[AnnotationRefName] ?? ''
  return ref === '' ? '' : cleanup(ref)
}

export function defaultBaseName(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `import-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/**
 * The names for one archive: `index` is index.json as stored, `entries` its top-level descriptors.
 * Names come out in containerd's order (index first, then each entry).
 */
export function importNames(index: Descriptor, entries: Descriptor[], opts: NamingOptions): NamedTarget[] {
  const overwrite = !opts.baseName
  const prefix = opts.baseName || defaultBaseName(opts.now?.())
  const out: NamedTarget[] = []
  if (opts.indexName) out.push({ name: opts.indexName, target: index })
  if (opts.digests) out.push({ name: `${prefix}@${index.digest}`, target: index })
  const cleanup = refTranslator(prefix, !overwrite)
  for (const desc of entries) {
    const name = imageName(desc.annotations, cleanup)
    if (name !== '') checkImageName(name)
    if (name === '') {
      if (opts.digests) out.push({ name: `${prefix}@${desc.digest}`, target: desc })
      continue
    }
    out.push({ name, target: desc })
    if (opts.digests && !opts.skipDigestForNamed) out.push({ name: `${prefix}@${desc.digest}`, target: desc })
  }
  return out
}

/**
 * A name an archive gives an image must be a reference (distribution's grammar, the one pull and tag
 * use): `docker.io/x/../../etc/passwd:latest`, or a name with a newline or ESC in it, is refused.
 */
export function checkImageName(name: string): void {
  try {
    parseReference(name, { defaultTag: false })
  } catch (e) {
    throw invalidArgument(`the archive names an image ${quoteName(name)}: ${referenceProblem(e, name)}`)
  }
}

/** Why parseReference refused `name`, without the name (which it quotes raw) and with controls escaped. */
export function referenceProblem(e: unknown, name: string): string {
  const msg = (e as Error).message
  const prefix = `invalid reference "${name}": `
  return escapeControls(msg.startsWith(prefix) ? msg.slice(prefix.length) : msg)
}

/** The image names an archive's index entries carry, as written (containerd's, else the OCI ref name). */
export function archiveImageNames(entries: Descriptor[]): string[] {
  const out = new Set<string>()
  for (const d of entries) {
    const n = d.annotations?.[AnnotationImageName] || d.annotations?.[AnnotationRefName] || ''
    if (n !== '') out.add(n)
  }
  return [...out]
}

/** distribution's ParseDockerRef: fully qualified, `latest` added, a tag dropped when a digest is present. */
export function normalizeDockerRef(ref: string): string {
  const r = parseReference(ref)
  return formatReference(r.digest ? { domain: r.domain, path: r.path, digest: r.digest } : r)
}

/** The short form `docker save` and `docker load` use: docker.io/library/ stripped, tag kept. */
export function familiarName(ref: string): string {
  const r = parseReference(ref)
  let repo = `${r.domain}/${r.path}`
  if (r.domain === 'docker.io')
    repo = r.path.startsWith('library/') && r.path.split('/').length === 2 ? r.path.slice(8) : r.path
  return `${repo}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`
}

/** containerd's ociReferenceName: what follows the first `:` after the host (tag, maybe with @digest), else the name. */
export function ociReferenceName(name: string): string {
  const slash = name.indexOf('/')
  if (slash < 0) return name
  const path = name.slice(slash + 1)
  const m = /[:@]/.exec(path)
  if (!m || m[0] === '@') return name
  const object = path.slice(m.index + 1)
  return object === '' ? name : object
}
