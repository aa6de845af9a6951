// `berth images check`: for every image a filter selects, whether each platform it names has its config
// and layers in the store (containerd's images.Check, per platform), and the image as a whole. Tags of
// one target are checked once: 10,000 names on one manifest are one walk.
import { isKind } from '../core/errors'
import { check, platforms as imagePlatforms } from '../core/images/image'
import type { Image } from '../core/images/store'
import { validateNamespace } from '../core/namespace'
import type { Descriptor, Digest, Platform } from '../core/oci'
import { formatAll, ordered } from '../core/platforms'
import type { Provider } from '../core/content/provider'
import type { ServiceContext } from './context'

export interface PlatformCheck {
  /** formatAll spelling, as images ls and the app show platforms: linux/arm/v7, windows(10.0.20348)/amd64. */
  platform: string
  complete: boolean
  required: number
  present: number
  requiredBytes: number
  presentBytes: number
  missing: Descriptor[]
}

export interface ImageCheck {
  name: string
  mediaType: string
  digest: Digest
  /** complete when every platform's config and layers are present. */
  status: 'complete' | 'incomplete' | 'error'
  required: number
  present: number
  requiredBytes: number
  presentBytes: number
  platforms: PlatformCheck[]
  error?: string
}

type TargetCheck = Omit<ImageCheck, 'name' | 'mediaType' | 'digest'>

const sum = (ds: Descriptor[]) => ds.reduce((n, d) => n + d.size, 0)

async function checkTarget(p: Provider, target: Descriptor): Promise<TargetCheck> {
  const row: TargetCheck = {
    status: 'complete',
    required: 0,
    present: 0,
    requiredBytes: 0,
    presentBytes: 0,
    platforms: [],
  }
  try {
    let ps: (Platform | undefined)[]
    try {
      const seen = new Map<string, Platform>()
      for (const x of await imagePlatforms(p, target)) seen.set(formatAll(x), x)
      ps = seen.size > 0 ? [...seen.values()] : [undefined]
    } catch (e) {
      if (!isKind(e, 'not-found')) throw e
      ps = [undefined]
    }
    const required = new Map<string, Descriptor>()
    const present = new Set<string>()
    for (const platform of ps) {
      const r = await check(p, target, platform ? ordered(platform) : undefined)
      for (const d of r.required) required.set(d.digest, d)
      for (const d of r.present) present.add(d.digest)
      row.platforms.push({
        platform: platform ? formatAll(platform) : '-',
        complete: r.available && r.missing.length === 0,
        required: r.required.length,
        present: r.present.length,
        requiredBytes: sum(r.required),
        presentBytes: sum(r.present),
        missing: r.missing,
      })
    }
    row.required = required.size
    row.present = present.size
    for (const d of required.values()) {
      row.requiredBytes += d.size
      if (present.has(d.digest)) row.presentBytes += d.size
    }
    if (row.platforms.some((x) => !x.complete)) row.status = 'incomplete'
  } catch (e) {
    row.status = 'error'
    row.error = (e as Error).message
  }
  return row
}

/** Every platform the image lists (not only this machine's), and the image as a whole. */
export async function checkImages(
  ctx: ServiceContext,
  nsIn: string,
  filters: string[] = [],
): Promise<ImageCheck[]> {
  const ns = validateNamespace(nsIn)
  const p = ctx.content.provider(ns)
  const byTarget = new Map<string, Promise<TargetCheck>>()
  const out: ImageCheck[] = []
  for (const img of ctx.images.list(ns, ...filters) as Image[]) {
    let r = byTarget.get(img.target.digest)
    if (!r) byTarget.set(img.target.digest, (r = checkTarget(p, img.target)))
    out.push({ name: img.name, mediaType: img.target.mediaType, digest: img.target.digest, ...(await r) })
  }
  return out
}
