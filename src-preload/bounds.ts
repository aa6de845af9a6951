// The building blocks of the contract's argument schemas (args.ts), each with its bound built in. The
// renderer is untrusted: every string, number, list and map it sends is bounded before anything reads
// it, a list's or map's size is checked before its items, and an object is a plain object with exactly
// the fields its schema names. Each failure says what was expected and never quotes the value (it may be
// megabytes, or hold control characters); whoever reports it prefixes the path.
import * as v from 'valibot'

/** A string of min..max UTF-16 code units. */
export const text = (min: number, max: number) =>
  v.pipe(
    v.string('expected a string'),
    v.minLength(min, `expected at least ${min} characters`),
    v.maxLength(max, `expected at most ${max} characters`),
  )

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const expected = `expected an integer in [${min}, ${max}]`
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected))
}

export const flag = v.boolean('expected a boolean')

export const oneOf = <const T extends readonly string[]>(...values: T) =>
  v.picklist(values, `expected one of ${values.join(', ')}`)

/** At most `max` items, counted before any item is looked at. */
export function list<T extends v.GenericSchema>(item: T, max: number) {
  const items = v.array(item)
  // Typed as what the pipe lets through, so the schema's input type is its output type.
  return v.pipe(
    v.custom<v.InferInput<typeof items>>(Array.isArray, 'expected an array'),
    v.maxLength(max, `expected at most ${max} items`),
    items,
  )
}

/** What structured clone makes of a renderer's object: no class instance, no array, no Map. */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/** A plain object with exactly these fields: an unknown one is refused, so a typo fails loudly. */
export function fields<const E extends v.ObjectEntries>(entries: E) {
  const shape = v.strictObject(entries, (issue) => (issue.expected === 'never' ? 'no such field' : 'missing'))
  return v.pipe(v.custom<v.InferInput<typeof shape>>(isPlainObject, 'expected an object'), shape)
}

/**
 * A map of at most `maxKeys` entries (counted first), each key and value checked. Unlike v.record it
 * keeps every key as given: `constructor` or `__proto__` is a label key like any other, not one to drop.
 */
export function map<K extends v.GenericSchema<string>, V extends v.GenericSchema>(
  key: K,
  value: V,
  maxKeys: number,
) {
  type Map = Record<v.InferOutput<K>, v.InferOutput<V>>
  return v.pipe(
    v.custom<Map>(isPlainObject, 'expected an object'),
    v.check((o) => Object.keys(o).length <= maxKeys, `expected at most ${maxKeys} keys`),
    v.rawCheck<Map>(({ dataset, config, addIssue }) => {
      if (!dataset.typed || dataset.issues) return
      const input = dataset.value
      for (const [k, x] of Object.entries(input)) {
        for (const [schema, part, origin] of [
          [key, k, 'key'],
          [value, x, 'value'],
        ] as const) {
          const r = v.safeParse(schema, part, { abortEarly: config.abortEarly })
          if (r.success) continue
          for (const issue of r.issues) {
            const at = { type: 'object', origin, input, key: k, value: x } as const
            addIssue({ message: issue.message, path: [at, ...(issue.path ?? [])] })
          }
          if (config.abortEarly) return
        }
      }
    }),
  )
}

/** A call's argument list: exactly these positions, nothing more. */
export const args = <const T extends v.TupleItems>(...items: T) =>
  v.strictTuple(items, (issue) =>
    issue.expected === 'never' ? 'no such argument' : 'expected an argument list',
  )
