// Where a Berth store lives, computed without opening it (and without Electron): the CLI needs this for
// `--help` and `version`, which must not load the database.
import { mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { failedPrecondition } from '../core/errors'

export const PRODUCT_NAME = 'Berth'

/**
 * Electron's userData for productName "Berth", computed without Electron: appData + "/Berth", where
 * appData is $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on macOS and
 * %APPDATA% on Windows.
 */
export function defaultRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME)
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), PRODUCT_NAME)
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), PRODUCT_NAME)
}

/** --root wins, then $BERTH_ROOT, then the app's own directory. */
export function resolveRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.BERTH_ROOT || defaultRoot(env)
}

/**
 * Creates the root directory if needed. A root that is a file (or lies under one) is named as such,
 * rather than surfacing as mkdir's EEXIST or ENOTDIR.
 */
export function ensureRootDirectory(root: string): void {
  try {
    mkdirSync(root, { recursive: true })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw e
    let what = 'lies under a file'
    try {
      if (!statSync(root).isDirectory()) what = 'is a file'
    } catch {
      // ENOTDIR from stat too: some parent is a file.
    }
    throw failedPrecondition(
      `the store root ${root} ${what}, not a directory: choose another with --root DIR or BERTH_ROOT`,
    )
  }
}
