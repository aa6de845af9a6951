// The registry side of transfer, as the service and the CLI use it.
export {
  parseReference,
  normalizeReference,
  formatReference,
  repositoryName,
  endpointHost,
  hostname,
} from './reference'
export type { Reference } from './reference'
export { RegistryClient } from './client'
export type { RegistryOptions } from './client'
export { Transport } from './http'
export type { TransportOptions } from './http'
export { Authorizer, parseChallenges } from './auth'
export {
  FileCredentialStore,
  MemoryCredentialStore,
  dockerConfigSource,
  chainSources,
  credentialHelperGet,
  normalizeHost,
} from './credentials'
export type { Credentials, CredentialSource, CredentialStore, Cipher } from './credentials'
export { RegistryError, isRegistryError } from './errors'
export type { RegistryReason } from './errors'
export { resolve, fetchManifest, MAX_MANIFEST_SIZE, MANIFEST_ACCEPT } from './resolve'
export { fetchToStore } from './fetch'
export type { BlobProgress, BlobState, ProgressFn } from './fetch'
export { pull } from './pull'
export type { PullOptions, PullResult } from './pull'
export { push } from './push'
export type { PushOptions, PushResult } from './push'
export { login, logout } from './login'
export type { LoginOptions } from './login'
export { inspectRemote } from './remote'
export type { RemoteImage, InspectOptions } from './remote'
export { pullScope, pushScope } from './auth'
