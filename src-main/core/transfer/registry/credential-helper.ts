// Docker's credential-helper protocol (github.com/docker/docker-credential-helpers): a program
// `docker-credential-<name>` keeps secrets in the OS keychain (osxkeychain, wincred, secretservice,
// pass) and answers `get`, `store`, `erase` and `list` on stdin/stdout. HelperCredentialStore keeps
// logins there, each under a server URL of its own so that they never overwrite or erase Docker's.
// Secrets travel on the helper's stdin and stdout only: never in arguments, the environment or errors.
import { spawn } from 'node:child_process'
import { failedPrecondition, invalidArgument } from '../../errors'
import type { CredentialStore, Credentials } from './credentials'
import { normalizeHost } from './credentials'

export type HelperAction = 'get' | 'store' | 'erase' | 'list'

export interface HelperRun {
  code: number | null
  stdout: string
}

const NOT_FOUND = /credentials not found/i

export function validHelperName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw invalidArgument(`invalid credential helper name "${name}"`)
  return name
}

/**
 * Runs `program action` with `input` on stdin. `program` is the helper's path or its
 * `docker-credential-<name>` name on PATH.
 */
export function runHelper(
  program: string,
  action: HelperAction,
  input: string,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(program, [action], {
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: opts.timeoutMs ?? 30_000,
      ...(opts.env ? { env: opts.env } : {}),
    })
    let stdout = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    p.on('error', (e) => reject(failedPrecondition(`credential helper ${program} cannot run: ${e.message}`)))
    p.on('close', (code) => resolve({ code, stdout }))
    // A helper that exits without reading its stdin is answered by its exit status, not by EPIPE.
    p.stdin.on('error', () => undefined)
    p.stdin.end(input)
  })
}

/** The protocol's answer to `get`: undefined when the helper has no entry for `serverUrl`. */
export function parseGet(program: string, serverUrl: string, r: HelperRun): Credentials | undefined {
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.stdout)) return undefined
    throw failedPrecondition(`credential helper ${program} failed for ${serverUrl} (exit ${r.code})`)
  }
  let j: { Username?: string; Secret?: string }
  try {
    j = JSON.parse(r.stdout) as { Username?: string; Secret?: string }
  } catch {
    throw failedPrecondition(`credential helper ${program} gave unreadable output for ${serverUrl}`)
  }
  if (!j.Secret) return undefined
  // Docker's helpers spell an identity token as the user name "<token>".
  const username = j.Username === '<token>' ? '' : (j.Username ?? '')
  return { username, secret: j.Secret }
}

/** Where a host's login lives in the helper: an https URL with a path of Berth's own. */
export function berthServerUrl(host: string): string {
  return `https://${normalizeHost(host)}/berth-cli`
}

const BERTH_URL = /^https:\/\/([^/]+)\/berth-cli$/

/** A CredentialStore whose secrets the helper keeps; `program` is the helper's path or name. */
export class HelperCredentialStore implements CredentialStore {
  constructor(
    readonly program: string,
    private readonly opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ) {}

  private run(action: HelperAction, input: string): Promise<HelperRun> {
    return runHelper(this.program, action, input, this.opts)
  }

  async get(host: string): Promise<Credentials | undefined> {
    const url = berthServerUrl(host)
    return parseGet(this.program, url, await this.run('get', url))
  }

  async set(host: string, creds: Credentials): Promise<void> {
    const url = berthServerUrl(host)
    const r = await this.run(
      'store',
      JSON.stringify({ ServerURL: url, Username: creds.username || '<token>', Secret: creds.secret }),
    )
    if (r.code !== 0) {
      // The helper's own words (e.g. a locked keyring), but never the input it was given.
      const why = r.stdout.trim().split('\n')[0]?.slice(0, 200)
      throw failedPrecondition(
        `credential helper ${this.program} could not store the login for ${normalizeHost(host)} (exit ${r.code}${why ? `: ${why}` : ''})`,
      )
    }
  }

  async delete(host: string): Promise<boolean> {
    const url = berthServerUrl(host)
    const r = await this.run('erase', url)
    if (r.code === 0) return true
    if (NOT_FOUND.test(r.stdout)) return false
    throw failedPrecondition(`credential helper ${this.program} could not erase ${url} (exit ${r.code})`)
  }

  async list(): Promise<{ host: string; username: string }[]> {
    const r = await this.run('list', '')
    if (r.code !== 0)
      throw failedPrecondition(`credential helper ${this.program} could not list (exit ${r.code})`)
    let entries: Record<string, string>
    try {
      entries = JSON.parse(r.stdout || '{}') as Record<string, string>
    } catch {
      throw failedPrecondition(`credential helper ${this.program} gave an unreadable list`)
    }
    const out: { host: string; username: string }[] = []
    for (const [url, username] of Object.entries(entries)) {
      const m = BERTH_URL.exec(url)
      if (m) out.push({ host: m[1], username: username === '<token>' ? '' : username })
    }
    return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
  }
}
