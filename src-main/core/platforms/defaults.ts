// containerd's Default(): what this host runs, per OS.
import type { Platform } from '../oci'
import { onlyStrict, only, orderedFor } from './compare'
import { formatAll } from './format'
import { machineSpec } from './host'
import { newMatcher } from './match'
import { makePlatform } from './normalize'
import type { MatchComparer } from './types'
import { windowsMatchComparer } from './windows'

/**
 * containerd's DefaultSpec(): the host as given, or this machine unnormalized (so an arm64 machine
 * says arm64/v8, and a Windows machine carries its `major.minor.build`).
 */
export function defaultSpec(host?: Platform): Platform {
  if (!host) return machineSpec()
  return makePlatform(host.os, host.architecture, host.variant, host.osVersion, host.osFeatures)
}

/** FormatAll(DefaultSpec()). */
export function defaultString(host?: Platform): string {
  return formatAll(defaultSpec(host))
}

/**
 * The platforms this host runs, best first. Linux and other unix: Only(host). Windows: the host's
 * version rules, preferring the newest osVersion. darwin: itself, then linux on the same architecture
 * (freebsd also keeps the variant for linux).
 */
export function defaultMatcher(host?: Platform): MatchComparer {
  const spec = defaultSpec(host)
  switch (spec.os) {
    case 'windows':
      return windowsMatchComparer(newMatcher(spec, spec))
    case 'darwin':
      return orderedFor(spec, [spec, makePlatform('linux', spec.architecture)])
    case 'freebsd':
      return orderedFor(spec, [spec, makePlatform('linux', spec.architecture, spec.variant)])
    default:
      return only(spec, spec)
  }
}

/** OnlyStrict(DefaultSpec()). */
export function defaultStrict(host?: Platform): MatchComparer {
  const spec = defaultSpec(host)
  return onlyStrict(spec, spec)
}
