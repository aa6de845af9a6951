// `berth images inspect`: one image's record, the platforms it names, and for one platform (this
// machine's best match unless asked) the manifest, config and diff IDs. An image whose content for that
// platform is not in the store (pulled or imported for another platform) is answered with the platforms
// it does hold and the --platform that shows one, not with a bare missing digest.
import { isKind, notFound } from '../core/errors'
import { readDiffIDs } from '../core/images/documents'
import { MAX_DOCUMENT_SIZE } from '../core/images/mediatypes'
import { readBounded } from '../core/images/read-bounded'
import { manifest as imageManifest, platforms as imagePlatforms } from '../core/images/image'
import type { Image } from '../core/images/store'
import { validateNamespace } from '../core/namespace'
import type { Descriptor, Digest, Manifest, Platform } from '../core/oci'
import { defaultMatcher, formatAll, hostPlatform, ordered, parse as parsePlatform } from '../core/platforms'
import type { ServiceContext } from './context'
import { resolveImage } from './resolve-name'
import { treeSource } from './summaries'
import { buildTree, nodes } from './tree'

export interface ImageInspection {
  name: string
  target: Descriptor
  labels: Record<string, string>
  createdAt: string
  updatedAt: string
  /** Every platform the image names, formatAll spelling, sorted. */
  platforms: string[]
  /** The platform shown: the chosen manifest's config's. */
  platform: string
  manifest: Manifest
  config: Descriptor
  configJSON: unknown
  diffIds: Digest[]
}

/** Platforms whose manifest and config are in the store: what --platform can show. */
async function presentPlatforms(ctx: ServiceContext, ns: string, img: Image): Promise<string[]> {
  const tree = await buildTree(treeSource(ctx, ns), img.target, { lean: true })
  const out = new Set<string>()
  for (const n of nodes(tree)) {
    if (n.kind !== 'manifest' || !n.present || !n.platform) continue
    if (n.children.find((c) => c.kind === 'config')?.present) out.add(n.platform)
  }
  return [...out].sort()
}

async function notHeld(
  ctx: ServiceContext,
  ns: string,
  img: Image,
  wanted: string,
  cause: unknown,
): Promise<Error> {
  const held = await presentPlatforms(ctx, ns, img)
  const suggestion = held.length
    ? `the store holds ${held.join(', ')}: use --platform ${held[0]}`
    : 'the store holds no platform of it whole: pull or import it again'
  return notFound(`image "${img.name}" has no content for ${wanted} in the store; ${suggestion}`, cause)
}

export async function inspectImage(
  ctx: ServiceContext,
  nsIn: string,
  name: string,
  platform?: string,
): Promise<ImageInspection> {
  const ns = validateNamespace(nsIn)
  const img = resolveImage(ctx, ns, name)
  const p = ctx.content.provider(ns)
  const host: Platform = ctx.host ?? hostPlatform()
  const wanted = platform ? parsePlatform(platform, host) : host
  const m = platform ? ordered(wanted) : defaultMatcher(host)
  const what = platform ? formatAll(wanted) : `${formatAll(host)} (this machine's platform)`
  let man: Manifest
  let cfg: Descriptor
  let configJSON: Record<string, unknown>
  try {
    man = await imageManifest(p, img.target, m)
    cfg = man.config
    const body = await readBounded(p, cfg, MAX_DOCUMENT_SIZE, 'config')
    configJSON = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>
  } catch (e) {
    if (isKind(e, 'not-found')) throw await notHeld(ctx, ns, img, what, e)
    throw e
  }
  const ps = [...new Set((await imagePlatforms(p, img.target)).map((x) => formatAll(x)))].sort()
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    name: img.name,
    target: img.target,
    labels: img.labels,
    createdAt: img.createdAt.toISOString(),
    updatedAt: img.updatedAt.toISOString(),
    platforms: ps,
    platform: formatAll({
      os: str(configJSON.os) ?? '',
      architecture: str(configJSON.architecture) ?? '',
      ...(str(configJSON.variant) ? { variant: str(configJSON.variant) } : {}),
      ...(str(configJSON['os.version']) ? { osVersion: str(configJSON['os.version']) } : {}),
    }),
    manifest: man,
    config: cfg,
    configJSON,
    diffIds: await readDiffIDs(p, cfg),
  }
}
