// Image references as the ecosystem spells them: `[host[:port]/]path[:tag][@digest]`, normalised the
// way docker/distribution's ParseNormalizedNamed does, so that `nginx` and
// `docker.io/library/nginx:latest` name the same image.
import { invalidArgument } from '../../errors'
import { parseDigest, type Digest } from '../../oci'

export const DEFAULT_DOMAIN = 'docker.io'
export const DEFAULT_TAG = 'latest'
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io'
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io'
const OFFICIAL_REPO_PREFIX = 'library/'
const NAME_MAX = 255

// The grammar of distribution/reference, written out as regular expressions.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]'
const domainName = `${domainComponent}(?:\\.${domainComponent})*`
const domainRe = `(?:${domainName}|${ipv6})(?::[0-9]+)?`
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
const tagRe = '[\\w][\\w.-]{0,127}'
const digestRe = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const anchoredDomain = new RegExp(`^${domainRe}$`)
const anchoredPath = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`)
const anchoredTag = new RegExp(`^${tagRe}$`)
const anchoredDigest = new RegExp(`^${digestRe}$`)
const identifierRe = /^[a-f0-9]{64}$/

export interface Reference {
  /** Registry host as written in the name, with its port: `docker.io`, `127.0.0.1:5000`. */
  readonly domain: string
  /** Repository path inside the registry: `library/nginx`. */
  readonly path: string
  readonly tag?: string
  readonly digest?: Digest
}

/**
 * A registry host as a login or a transport names it: `name[:port]` or `[ipv6][:port]`, the domain
 * grammar of references. Anything else (`docker.io@evil.com`, a path, a space) is InvalidArgument, so
 * that a URL built from it cannot point somewhere else than it reads.
 */
export function validateRegistryHost(host: string): string {
  if (typeof host !== 'string' || !anchoredDomain.test(host)) {
    throw invalidArgument(
      `${JSON.stringify(host)} is not a registry host: write name[:port] or [IPv6][:port], as in an image reference`,
    )
  }
  return host
}

/** `domain/path`, without tag or digest. */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`
}

/** The canonical text: `domain/path[:tag][@digest]`, as containerd names the image record. */
export function formatReference(ref: Reference): string {
  let s = repositoryName(ref)
  if (ref.tag) s += `:${ref.tag}`
  if (ref.digest) s += `@${ref.digest}`
  return s
}

/** What to ask the registry for: the digest when there is one (it pins the content), else the tag. */
export function manifestSelector(ref: Reference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG
}

/** The host to connect to: docker.io is served by registry-1.docker.io. */
export function endpointHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? DOCKER_HUB_ENDPOINT : domain
}

/** Host without port (and without IPv6 brackets), as used in `containerd.io/distribution.source.<host>`. */
export function hostname(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'))
  const i = domain.lastIndexOf(':')
  return i < 0 ? domain : domain.slice(0, i)
}

function fail(s: string, why: string): never {
  throw invalidArgument(`invalid reference "${s}": ${why}`)
}

/** Splits off `@digest` and `:tag`, returning the bare name. Tags never contain `/`, ports always precede one. */
function splitTagDigest(s: string): { name: string; tag?: string; digest?: string } {
  let rest = s
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  return { name: rest, tag, digest }
}

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/')
  let domain: string
  let path: string
  const first = i < 0 ? '' : name.slice(0, i)
  if (
    i < 0 ||
    (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    domain = DEFAULT_DOMAIN
    path = name
  } else {
    domain = first
    path = name.slice(i + 1)
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path
  return { domain, path }
}

/**
 * Parses a reference and normalises it: the Docker Hub domain and `library/` are filled in, and
 * `latest` is added when neither tag nor digest is given (use `{ defaultTag: false }` to keep a bare name).
 */
export function parseReference(s: string, opts: { defaultTag?: boolean } = {}): Reference {
  if (typeof s !== 'string' || s === '') fail(String(s), 'repository name must have at least one component')
  if (s !== s.trim()) fail(s, 'leading or trailing white space')
  if (identifierRe.test(s)) fail(s, 'cannot specify 64-byte hexadecimal strings as a repository name')
  const parts = splitTagDigest(s)
  if (parts.name === '') fail(s, 'repository name must have at least one component')
  const { domain, path } = splitDomain(parts.name)
  if (!anchoredDomain.test(domain)) fail(s, `invalid registry host "${domain}"`)
  if (/[A-Z]/.test(path)) fail(s, 'repository name must be lowercase')
  if (!anchoredPath.test(path)) fail(s, `invalid repository path "${path}"`)
  if (`${domain}/${path}`.length > NAME_MAX)
    fail(s, `repository name must not be more than ${NAME_MAX} characters`)
  if (parts.tag !== undefined && !anchoredTag.test(parts.tag)) fail(s, `invalid tag "${parts.tag}"`)
  let digest: Digest | undefined
  if (parts.digest !== undefined) {
    if (!anchoredDigest.test(parts.digest)) fail(s, `invalid digest "${parts.digest}"`)
    try {
      digest = parseDigest(parts.digest)
    } catch (e) {
      fail(s, (e as Error).message)
    }
  }
  const tag = parts.tag ?? (digest === undefined && opts.defaultTag !== false ? DEFAULT_TAG : undefined)
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) }
}

/** Canonical text of any accepted spelling: `nginx` → `docker.io/library/nginx:latest`. */
export function normalizeReference(s: string): string {
  return formatReference(parseReference(s))
}
