// Registry secrets are encrypted here, in main, with Electron's safeStorage (the OS keychain): the store
// host keeps logins.json but holds no key, and asks main through reverse requests. Where safeStorage
// cannot encrypt for real, logins are refused rather than kept in plain text.
import { safeStorage } from 'electron'
import { failedPrecondition } from '../core/errors'
import type { ReverseHandlers } from '../host/protocol'

const REFUSED =
  'logins cannot be stored safely on this system: no OS keychain is available to encrypt them ' +
  '(use docker login, whose configuration Berth reads, or install a keyring such as gnome-keyring)'

/** Linux falls back to a fixed, well-known key ('basic_text'): that is plain text by another name. */
function encryptionUsable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false
  const backend = (safeStorage as { getSelectedStorageBackend?: () => string }).getSelectedStorageBackend
  return !(process.platform === 'linux' && backend?.() === 'basic_text')
}

export const keychainCipher: ReverseHandlers = {
  'cipher.encrypt'(plain) {
    if (!encryptionUsable()) throw failedPrecondition(REFUSED)
    return new Uint8Array(safeStorage.encryptString(plain))
  },
  'cipher.decrypt'(data) {
    if (!encryptionUsable()) throw failedPrecondition(REFUSED)
    return safeStorage.decryptString(Buffer.from(data))
  },
}
