// The renderer is served from app://berth/, a custom scheme main answers itself, instead of file://:
// a page on file:// may read any file:// URL, one on app://berth reads only out/renderer. Requests are
// confined to that directory (no "..", no encoded separators, no symlink out of it) and answered with
// the same Content-Security-Policy the page declares, plus frame-ancestors (which only a header can
// carry). Electron-free apart from the registration at the bottom, so the confinement is tested
// under Node.
import { realpathSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'berth'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX = `${APP_ORIGIN}/index.html`

/** The page's policy (src-renderer/index.html carries the same one in a meta tag; a test keeps them equal). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

const inside = (file: string, dir: string): boolean => file.startsWith(dir.endsWith(sep) ? dir : dir + sep)

/** The file an app:// URL names inside `rendererDir`, or null when it names nothing there. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null
  let rel: string
  try {
    rel = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  // An encoded backslash or NUL is never part of a name the build produces.
  if (rel.includes('\0') || rel.includes('\\')) return null
  rel = rel.replace(/^\/+/, '') || 'index.html'
  const dir = resolve(rendererDir)
  const file = resolve(dir, rel)
  if (!inside(file, dir)) return null
  try {
    // A symlink inside the directory must not lead out of it; only regular files are served.
    const real = realpathSync(file)
    if (!inside(real, realpathSync(dir)) || !statSync(real).isFile()) return null
  } catch {
    return null
  }
  return file
}

export async function appResponse(
  rendererDir: string,
  req: { url: string; method: string },
): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 405 })
  const file = resolveAppFile(rendererDir, req.url)
  if (!file) return new Response(null, { status: 404 })
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return new Response(null, { status: 404 })
  }
  return new Response(req.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-security-policy': `${CSP}; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  })
}

/** Must run before the app is ready: a standard, secure scheme, so 'self', modules and fetch work. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
}
