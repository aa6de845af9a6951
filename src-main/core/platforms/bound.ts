// The whole platforms API with one host fixed, for callers (and tests) that must not depend on the
// machine they run on. Variadic functions cannot take a trailing host, so this is how to give them one.
import type { Platform } from '../oci'
import { all, anyFor, only, onlyOS, onlyStrict, orderedFor } from './compare'
import { defaultMatcher, defaultSpec, defaultString, defaultStrict } from './defaults'
import { format, formatAll } from './format'
import { newMatcher } from './match'
import { normalize } from './normalize'
import { parse, parseAll } from './parse'
import type { MatchComparer, Matcher } from './types'

export interface PlatformsForHost {
  readonly host: Platform
  parse(specifier: string): Platform
  parseAll(specifiers: readonly string[]): Platform[]
  normalize(p: Platform): Platform
  format(p: Platform): string
  formatAll(p: Platform): string
  newMatcher(p: Platform): Matcher
  only(p: Platform): MatchComparer
  onlyStrict(p: Platform): MatchComparer
  onlyOS(p: Platform): MatchComparer
  ordered(...ps: Platform[]): MatchComparer
  any(...ps: Platform[]): MatchComparer
  readonly all: MatchComparer
  defaultSpec(): Platform
  defaultString(): string
  defaultMatcher(): MatchComparer
  defaultStrict(): MatchComparer
}

export function forHost(host: Platform): PlatformsForHost {
  return {
    host,
    parse: (s) => parse(s, host),
    parseAll: (ss) => parseAll(ss, host),
    normalize: (p) => normalize(p, host),
    format,
    formatAll,
    newMatcher: (p) => newMatcher(p, host),
    only: (p) => only(p, host),
    onlyStrict: (p) => onlyStrict(p, host),
    onlyOS: (p) => onlyOS(p, host),
    ordered: (...ps) => orderedFor(host, ps),
    any: (...ps) => anyFor(host, ps),
    all,
    defaultSpec: () => defaultSpec(host),
    defaultString: () => defaultString(host),
    defaultMatcher: () => defaultMatcher(host),
    defaultStrict: () => defaultStrict(host),
  }
}
