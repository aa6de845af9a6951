// The tests' stand-in for the OS keychain: reversible and obviously not plain text, so a test can tell
// a secret was not stored as typed. The e2e bridge and host tests answer the host's cipher requests
// with it, as Electron main answers them with safeStorage.
import type { Cipher } from '../../src-main/core/transfer/registry/credentials'
import type { ReverseHandlers } from '../../src-main/host/protocol'

export const testCipher: Cipher = {
  encrypt: (plain) => Buffer.from(`test:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`),
  decrypt: (data) =>
    Buffer.from(
      Buffer.from(data)
        .toString('utf8')
        .replace(/^test:/, ''),
      'base64',
    )
      .reverse()
      .toString('utf8'),
}

/** The same cipher as the host's reverse requests. */
export const testCipherHandlers: ReverseHandlers = {
  'cipher.encrypt': async (plain) => testCipher.encrypt(plain) as Uint8Array,
  'cipher.decrypt': async (data) => testCipher.decrypt(data) as string,
}
