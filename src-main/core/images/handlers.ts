// The walker's public surface (core-api.md "Walking images"): handler combinators, traversals, children,
// platform filters, GC reference labels, media types, and the image questions built on them.
export type { Provider } from '../content/provider'
export * from './walk'
export * from './children'
export * from './gc-labels'
export * from './mediatypes'
export { manifest, config, rootFS, platforms, check, size, configPlatform } from './image'
export type { CheckResult } from './image'
