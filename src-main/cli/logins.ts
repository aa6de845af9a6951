// Where `berth login` keeps secrets: the OS keychain, through a docker credential helper
// (docker-credential-osxkeychain on macOS, -wincred on Windows, -secretservice or -pass on Linux, or the
// one BERTH_CREDENTIAL_HELPER names). With none, login refuses, as the app does where the system has no
// keychain: a secret Berth could decrypt with a key of its own, stored beside it, would be no protection.
// Logins earlier versions kept that way (<root>/cli-logins.json with cli-logins.key) are moved into the
// keychain at the next registry command, or refused with a message saying what to do.
import { createDecipheriv } from 'node:crypto'
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { failedPrecondition } from '../core/errors'
import { HelperCredentialStore, validHelperName } from '../core/transfer/registry/credential-helper'
import { FileCredentialStore, type CredentialStore } from '../core/transfer/registry/credentials'
import type { CommandContext } from './io'

const HELPERS: Partial<Record<NodeJS.Platform, string[]>> = {
  darwin: ['osxkeychain'],
  win32: ['wincred'],
}
const DEFAULT_HELPERS = ['secretservice', 'pass']

/** The helper's executable on PATH (with PATHEXT on Windows), or undefined. */
export function findOnPath(
  program: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';') : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = join(dir, program + ext.toLowerCase())
      try {
        if (!statSync(file).isFile()) continue
        if (platform !== 'win32') accessSync(file, constants.X_OK)
        return file
      } catch {
        // Not here.
      }
    }
  }
  return undefined
}

/** The keychain store to use, or undefined when this system has no helper Berth can find. */
export function keychainStore(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): HelperCredentialStore | undefined {
  const named = env.BERTH_CREDENTIAL_HELPER
  const names = named ? [validHelperName(named)] : (HELPERS[platform] ?? DEFAULT_HELPERS)
  for (const name of names) {
    const path = findOnPath(`docker-credential-${name}`, env, platform)
    if (path) return new HelperCredentialStore(path, { env })
  }
  if (named)
    throw failedPrecondition(
      `BERTH_CREDENTIAL_HELPER=${named}, but docker-credential-${named} is not on PATH`,
    )
  return undefined
}

export function noKeychain(platform: NodeJS.Platform = process.platform): string {
  const names = (HELPERS[platform] ?? DEFAULT_HELPERS).map((n) => `docker-credential-${n}`).join(' or ')
  return (
    `no OS keychain to keep the login in: ${names} is not on PATH. Install one (or set ` +
    'BERTH_CREDENTIAL_HELPER to the helper you use); Berth does not keep passwords in files it can ' +
    "decrypt by itself. docker login's credentials (~/.docker/config.json) are used as well."
  )
}

const legacyFile = (root: string) => join(root, 'cli-logins.json')
const legacyKey = (root: string) => join(root, 'cli-logins.key')

/** The AES key the old file store kept beside the ciphertext: read only to move the logins out. */
function legacyStore(root: string): FileCredentialStore {
  return new FileCredentialStore(legacyFile(root), {
    encrypt: () => {
      throw failedPrecondition(`${legacyFile(root)} is read only to move its logins`)
    },
    decrypt: (data) => {
      const key = readFileSync(legacyKey(root))
      const b = Buffer.from(data)
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12))
      d.setAuthTag(b.subarray(12, 28))
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8')
    },
  })
}

/**
 * Moves the old file's logins into the keychain and deletes the file and its key. Without a keychain
 * they are left where they are, unused, and the user is told why and what to do.
 */
export async function migrateLegacyLogins(
  ctx: Pick<CommandContext, 'root' | 'err'>,
  keychain: CredentialStore | undefined,
): Promise<void> {
  const file = legacyFile(ctx.root)
  if (!existsSync(file)) return
  if (!keychain) {
    ctx.err(
      `berth: warning: ${file} holds logins that Berth no longer uses (their key lies beside them, which ` +
        'protects nothing); install a docker credential helper and run any registry command to move them ' +
        'into the OS keychain, or delete the file and its .key and log in again\n',
    )
    return
  }
  const old = legacyStore(ctx.root)
  const hosts = await old.list()
  let moved = 0
  for (const { host } of hosts) {
    let creds
    try {
      creds = await old.get(host)
    } catch {
      ctx.err(
        `berth: warning: the login for ${host} in ${file} cannot be decrypted; log in to ${host} again\n`,
      )
      continue
    }
    if (!creds) continue
    await keychain.set(host, creds)
    moved++
  }
  rmSync(file, { force: true })
  rmSync(legacyKey(ctx.root), { force: true })
  ctx.err(
    `berth: moved ${moved} login${moved === 1 ? '' : 's'} from ${file} into the OS keychain ` +
      `and deleted that file and its key\n`,
  )
}

/** The logins of this CLI: the keychain's, after any old file's were moved into it. */
export async function cliLogins(
  ctx: Pick<CommandContext, 'root' | 'err' | 'env'>,
): Promise<CredentialStore | undefined> {
  const keychain = keychainStore(ctx.env)
  await migrateLegacyLogins(ctx, keychain)
  return keychain
}
