// The app's registry logins: <userData>/logins.json, each secret encrypted with Electron's safeStorage
// (the OS keychain), looked up before the user's Docker configuration. Where safeStorage cannot
// encrypt for real, logins are refused rather than kept in plain text.
import { safeStorage } from 'electron'
import { join } from 'node:path'
import { failedPrecondition } from './core/errors'
import {
  FileCredentialStore,
  dockerConfigSource,
  type Cipher,
  type CredentialSource,
  type CredentialStore,
} from './core/transfer/registry/credentials'

const REFUSED =
  'logins cannot be stored safely on this system: no OS keychain is available to encrypt them ' +
  '(use docker login, whose configuration Berth reads, or install a keyring such as gnome-keyring)'

/** Linux falls back to a fixed, well-known key ('basic_text'): that is plain text by another name. */
function encryptionUsable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false
  const backend = (safeStorage as { getSelectedStorageBackend?: () => string }).getSelectedStorageBackend
  return !(process.platform === 'linux' && backend?.() === 'basic_text')
}

const safeStorageCipher: Cipher = {
  encrypt(plain) {
    if (!encryptionUsable()) throw failedPrecondition(REFUSED)
    return safeStorage.encryptString(plain)
  },
  decrypt(data) {
    if (!encryptionUsable()) throw failedPrecondition(REFUSED)
    return safeStorage.decryptString(Buffer.from(data))
  },
}

export function appLogins(userData: string): { logins: CredentialStore; sources: CredentialSource[] } {
  return {
    logins: new FileCredentialStore(join(userData, 'logins.json'), safeStorageCipher),
    sources: [dockerConfigSource()],
  }
}
