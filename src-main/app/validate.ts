// Tiny runtime schemas for arguments that come from the renderer, which is untrusted: every value is
// checked for shape before any use case sees it, and a bad one is an InvalidArgument naming the path.
import { invalidArgument } from '../core/errors'

export type Check<T> = (v: unknown, path: string) => T

const fail = (path: string, what: string): never => {
  throw invalidArgument(`${path}: expected ${what}`)
}

/** Strings are bounded so a hostile renderer cannot make main hold megabytes per argument. */
export const str =
  (opts: { max?: number; min?: number; pattern?: RegExp } = {}): Check<string> =>
  (v, path) => {
    if (typeof v !== 'string') return fail(path, 'a string')
    const max = opts.max ?? 65536
    if (v.length > max) return fail(path, `at most ${max} characters`)
    if (v.length < (opts.min ?? 0)) return fail(path, `at least ${opts.min} characters`)
    if (opts.pattern && !opts.pattern.test(v)) return fail(path, `a string matching ${opts.pattern.source}`)
    return v
  }

/** A file name with no directory in it (no separator, not . or ..): the save dialog decides where. */
export const basename =
  (max = 255): Check<string> =>
  (v, path) => {
    const s = str({ min: 1, max })(v, path)
    if (/[\\/\0]/.test(s) || s === '.' || s === '..') return fail(path, 'a file name without a directory')
    return s
  }

export const int =
  (min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return fail(path, `an integer in [${min}, ${max}]`)
    }
    return v
  }

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean'))

export const literal =
  <T extends string>(...values: T[]): Check<T> =>
  (v, path) =>
    (values as unknown[]).includes(v) ? (v as T) : fail(path, `one of ${values.join(', ')}`)

export const optional =
  <T>(c: Check<T>): Check<T | undefined> =>
  (v, path) =>
    v === undefined ? undefined : c(v, path)

export const nullable =
  <T>(c: Check<T>): Check<T | null> =>
  (v, path) =>
    v === null ? null : c(v, path)

export const array =
  <T>(c: Check<T>, max = 10_000): Check<T[]> =>
  (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'an array')
    if (v.length > max) return fail(path, `at most ${max} items`)
    return v.map((x, i) => c(x, `${path}[${i}]`))
  }

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

type Shape = Record<string, Check<unknown>>
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> }

/** Unknown keys are refused rather than ignored: a typo in the renderer should fail loudly. */
export const object =
  <S extends Shape>(shape: S): Check<Out<S>> =>
  (v, path) => {
    if (!isPlainObject(v)) return fail(path, 'an object')
    for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) fail(`${path}.${k}`, 'no such field')
    const out: Record<string, unknown> = {}
    for (const [k, c] of Object.entries(shape)) {
      const r = c(v[k], `${path}.${k}`)
      if (r !== undefined) out[k] = r
    }
    return out as Out<S>
  }

export const record =
  <T>(value: Check<T>, maxKeys = 1000): Check<Record<string, T>> =>
  (v, path) => {
    if (!isPlainObject(v)) return fail(path, 'an object')
    const keys = Object.keys(v)
    if (keys.length > maxKeys) return fail(path, `at most ${maxKeys} keys`)
    const out: Record<string, T> = Object.create(null) as Record<string, T>
    for (const k of keys) {
      if (k.length > 4096) fail(`${path}`, 'keys of at most 4096 characters')
      out[k] = value(v[k], `${path}[${JSON.stringify(k.slice(0, 40))}]`)
    }
    return { ...out }
  }

/** The argument list itself: exactly these positions, nothing more. */
export const tuple =
  (...items: Check<unknown>[]): Check<unknown[]> =>
  (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'an argument list')
    if (v.length > items.length) return fail(path, `at most ${items.length} arguments`)
    return items.map((c, i) => c(v[i], `${path}[${i}]`))
  }
