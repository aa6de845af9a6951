// The hand-written argument check that args.ts replaced (src-main/app/validate.ts and the images.list
// entry of src-main/app/schemas.ts, as they were before valibot), kept here only so bench/args.ts can
// compare old and new in the same run. Nothing in src uses it.
import { invalidArgument } from '../src-main/core/errors'

type Check<T> = (v: unknown, path: string) => T

const fail = (path: string, what: string): never => {
  throw invalidArgument(`${path}: expected ${what}`)
}

const str =
  (opts: { max?: number; min?: number } = {}): Check<string> =>
  (v, path) => {
    if (typeof v !== 'string') return fail(path, 'a string')
    const max = opts.max ?? 65536
    if (v.length > max) return fail(path, `at most ${max} characters`)
    if (v.length < (opts.min ?? 0)) return fail(path, `at least ${opts.min} characters`)
    return v
  }

const int =
  (min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return fail(path, `an integer in [${min}, ${max}]`)
    }
    return v
  }

const literal =
  <T extends string>(...values: T[]): Check<T> =>
  (v, path) =>
    (values as unknown[]).includes(v) ? (v as T) : fail(path, `one of ${values.join(', ')}`)

const optional =
  <T>(c: Check<T>): Check<T | undefined> =>
  (v, path) =>
    v === undefined ? undefined : c(v, path)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

type Shape = Record<string, Check<unknown>>
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> }

const object =
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

const tuple =
  (...items: Check<unknown>[]): Check<unknown[]> =>
  (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'an argument list')
    if (v.length > items.length) return fail(path, `at most ${items.length} arguments`)
    return items.map((c, i) => c(v[i], `${path}[${i}]`))
  }

/** images.list's argument list, as main and the host checked it before. */
export const oldImagesList = tuple(
  object({
    namespace: str({ min: 1, max: 76 }),
    filter: optional(str({ max: 4096 })),
    query: optional(str({ max: 1024 })),
    sort: optional(
      object({
        key: literal('name', 'tag', 'kind', 'platforms', 'size', 'unique', 'updated', 'created'),
        direction: literal('asc', 'desc'),
      }),
    ),
    offset: optional(int(0)),
    limit: optional(int(0, 100_000)),
  }),
)
