// Specifier string → platform, with containerd's inference from the host and its error texts.
import { invalidArgument } from '../errors'
import type { Platform } from '../oci'
import { goQuote, pathUnescape } from './gostr'
import { hostOr } from './host'
import { isKnownArch, isKnownOS, normalizeArch } from './names'
import { makePlatform, normalizeOS } from './normalize'

// The patterns are quoted in error messages, so their source text is kept exactly as containerd's.
const SPECIFIER_SRC = '^[A-Za-z0-9_.-]+$'
const OS_SRC = String.raw`^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$`
const SPECIFIER_RE = new RegExp(SPECIFIER_SRC)
const OS_RE = new RegExp(OS_SRC)

const INVALID = 'invalid argument'

/** strings.SplitN(s, "/", n): at most n pieces, the last one keeping any further slashes. */
function splitN(s: string, n: number): string[] {
  const parts = s.split('/')
  if (parts.length <= n) return parts
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join('/')]
}

function decodeOption(v: string, onError: (badEscape: string) => string): string {
  const r = pathUnescape(v)
  if ('badEscape' in r) throw invalidArgument(onError(`invalid URL escape ${goQuote(r.badEscape)}`))
  return r.value
}

function parseOSFeatures(s: string, specifier: string): string[] {
  const fail = (why: string): string => `${goQuote(specifier)} has invalid OS features: ${why}`
  const features: string[] = []
  for (const piece of s.split('+')) {
    const raw = piece.trim()
    if (raw === '') throw invalidArgument(fail(`empty os feature: ${INVALID}`))
    const feature = decodeOption(raw, (why) => fail(`invalid os feature ${goQuote(raw)}: ${why}`))
    if (feature !== '') features.push(feature)
  }
  return features
}

/**
 * Parses `<os>[(<version>[+<feature>]*)]`, `<arch>` or `<os>[(…)]/<arch>[/<variant>]` into a platform.
 * A lone OS takes the host's architecture (and, on ARM hosts other than v7, its variant); a lone
 * architecture takes the host's OS. Errors are InvalidArgument with containerd's wording.
 */
export function parse(specifier: string, host?: Platform): Platform {
  if (specifier.includes('*')) {
    throw invalidArgument(`${goQuote(specifier)}: wildcards not yet supported: ${INVALID}`)
  }
  const parts = splitN(specifier, 4)

  const osOptions = OS_RE.exec(parts[0])
  if (!osOptions) {
    throw invalidArgument(
      `${goQuote(parts[0])} is an invalid OS component of ${goQuote(specifier)}: ` +
        `OSAndVersion specifier component must match ${goQuote(OS_SRC)}: ${INVALID}`,
    )
  }
  const os = normalizeOS(osOptions[1], host)
  const rawVersion = osOptions[2] ?? ''
  const osVersion = decodeOption(
    rawVersion,
    (why) => `${goQuote(specifier)} has an invalid OS version ${goQuote(rawVersion)}: ${why}`,
  )
  const rawFeatures = osOptions[3] ?? ''
  const osFeatures = rawFeatures !== '' ? parseOSFeatures(rawFeatures.slice(1), specifier) : undefined

  for (const part of parts.slice(1)) {
    if (!SPECIFIER_RE.test(part)) {
      throw invalidArgument(
        `${goQuote(part)} is an invalid component of ${goQuote(specifier)}: ` +
          `platform specifier component must match ${goQuote(SPECIFIER_SRC)}: ${INVALID}`,
      )
    }
  }

  switch (parts.length) {
    case 1: {
      if (isKnownOS(os)) {
        const h = hostOr(host)
        const hostVariant = h.variant ?? ''
        const variant = h.architecture === 'arm' && hostVariant !== 'v7' ? hostVariant : ''
        return makePlatform(os, h.architecture, variant, osVersion, osFeatures)
      }
      // Not an OS: try it as an architecture. The whole piece is used, so `amd64(1)` is no arch.
      const [arch, normalizedVariant] = normalizeArch(parts[0], '')
      const variant = arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant
      if (isKnownArch(arch)) return makePlatform(hostOr(host).os, arch, variant, osVersion, osFeatures)
      throw invalidArgument(`${goQuote(specifier)}: unknown operating system or architecture: ${INVALID}`)
    }
    case 2: {
      // os/arch: neither is checked against the known names, and plain arm means v7.
      const [arch, normalizedVariant] = normalizeArch(parts[1], '')
      const variant = arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant
      return makePlatform(os, arch, variant, osVersion, osFeatures)
    }
    case 3: {
      const [arch, normalizedVariant] = normalizeArch(parts[1], parts[2])
      // An explicit arm64 variant that normalizes away is kept visible as v8.
      const variant = arch === 'arm64' && normalizedVariant === '' ? 'v8' : normalizedVariant
      return makePlatform(os, arch, variant, osVersion, osFeatures)
    }
  }
  throw invalidArgument(`${goQuote(specifier)}: cannot parse platform specifier: ${INVALID}`)
}

/** Parses each specifier; the first failure names the specifier it came from. */
export function parseAll(specifiers: readonly string[], host?: Platform): Platform[] {
  return specifiers.map((s) => {
    try {
      return parse(s, host)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      throw invalidArgument(`invalid platform ${s}: ${msg}`, e)
    }
  })
}
