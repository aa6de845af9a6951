// Platform → specifier string. Neither function normalizes: they print what they are given.
import type { Platform } from '../oci'
import { pathJoin, sortedUnique } from './gostr'

/** `os/arch/variant` with empty parts left out, or "unknown" without an OS. */
export function format(p: Platform): string {
  if (!p.os) return 'unknown'
  return pathJoin(p.os, p.architecture ?? '', p.variant ?? '')
}

/**
 * Like format, plus `(version+feature+…)` after the OS when there is an osVersion or a feature, so that
 * parse gives the same platform back: windows(10.0.17763)/amd64, linux(+gpu)/amd64.
 */
export function formatAll(p: Platform): string {
  if (!p.os) return 'unknown'
  const version = p.osVersion ?? ''
  const features = p.osFeatures ?? []
  if (version === '' && features.length === 0) return format(p)

  const osv = encodeOSOption(version)
  const feats = sortedUnique(features)
    .filter((f) => f !== '')
    .map(encodeOSOption)
    .join('+')
  let head = p.os
  if (osv !== '' || feats !== '') head += '(' + osv + (feats !== '' ? '+' + feats : '') + ')'
  return pathJoin(head, p.architecture ?? '', p.variant ?? '')
}

/** Escapes the characters that would end or split an OS option; `%` first so nothing is encoded twice. */
export function encodeOSOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => OPTION_ESCAPES[c])
}

const OPTION_ESCAPES: Record<string, string> = {
  '%': '%25',
  '+': '%2B',
  '(': '%28',
  ')': '%29',
  '/': '%2F',
}
