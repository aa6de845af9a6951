// Links that leave the app. The UI has none today, so nothing is opened in the user's browser; a link
// added later names its exact URL prefix here (https only), never "any https URL" — a compromised
// renderer could otherwise hand the OS arbitrary URLs to open.
import { shell } from 'electron'

export const EXTERNAL_ALLOWLIST: readonly string[] = []

export function isExternalAllowed(url: string, allowlist: readonly string[] = EXTERNAL_ALLOWLIST): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false
  return allowlist.some((prefix) => u.href.startsWith(prefix))
}

/** Opens the URL in the user's browser if it is on the allowlist; returns whether it did. */
export function openExternalAllowed(url: string): boolean {
  if (!isExternalAllowed(url)) return false
  void shell.openExternal(url)
  return true
}
