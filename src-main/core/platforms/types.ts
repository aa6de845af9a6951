import type { Platform } from '../oci'

/** Decides whether a platform (from an image or a runtime) is acceptable. */
export interface Matcher {
  match(p: Platform): boolean
}

/** A Matcher that can also rank platforms: `less(a, b)` means a is preferred to b. */
export interface MatchComparer extends Matcher {
  less(a: Platform, b: Platform): boolean
}
