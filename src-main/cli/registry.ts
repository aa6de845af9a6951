// `berth pull`, `push`, `login`, `logout`: the registry side of the command line. Logins made here are
// kept in the OS keychain through a docker credential helper (logins.ts); Docker's config.json and its
// credential helpers are read as well.
import { readFileSync } from 'node:fs'
import { failedPrecondition } from '../core/errors'
import { chainSources, dockerConfigSource, normalizeHost } from '../core/transfer/registry/credentials'
import type { BlobProgress } from '../core/transfer/registry/fetch'
import type { RegistryOptions } from '../core/transfer/registry/client'
import { login, logout } from '../core/transfer/registry/login'
import { pull } from '../core/transfer/registry/pull'
import { push } from '../core/transfer/registry/push'
import { validateRegistryHost } from '../core/transfer/registry/reference'
import { resolveImage } from '../service/resolve-name'
import { flag, platformFlag, positional, str, strs, wholeNumber, type Parsed } from './args'
import type { CommandContext } from './io'
import { cliLogins, noKeychain } from './logins'
import { bytesBinary } from './table'
import { Interrupted, usage } from './usage'

function transport(p: Parsed): Pick<RegistryOptions, 'plainHttp' | 'insecureHosts' | 'ca'> {
  const ca = str(p, 'ca')
  return {
    plainHttp: flag(p, 'plain-http'),
    insecureHosts: strs(p, 'insecure'),
    ...(ca ? { ca: readFileSync(ca, 'utf8') } : {}),
  }
}

async function registryOptions(ctx: CommandContext, p: Parsed): Promise<RegistryOptions> {
  return {
    ...transport(p),
    credentials: chainSources(await cliLogins(ctx), dockerConfigSource()),
    userAgent: 'berth',
  }
}

/** Per-blob bars on a terminal, redrawn in place; one line per finished blob otherwise. */
export function blobProgress(stream: NodeJS.WriteStream, verb: string, quiet: boolean) {
  const tty = Boolean(stream.isTTY)
  const blobs = new Map<string, BlobProgress>()
  let drawnLines = 0
  let last = 0
  const line = (b: BlobProgress): string => {
    const pct = b.size > 0 ? Math.min(100, Math.floor((b.offset / b.size) * 100)) : 100
    const width = 24
    const filled = Math.round((pct / 100) * width)
    const bar = `[${'='.repeat(filled)}${' '.repeat(width - filled)}]`
    return `${b.digest.slice(7, 19)} ${bar} ${String(pct).padStart(3)}% ${bytesBinary(b.offset)}/${bytesBinary(b.size)} ${b.state}`
  }
  const draw = (force: boolean): void => {
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    const lines = [...blobs.values()].slice(-12).map(line)
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A` : ''
    for (const l of lines) out += `\r\x1b[K${l}\n`
    stream.write(out)
    drawnLines = lines.length
  }
  return {
    update(p: BlobProgress): void {
      if (quiet) return
      const before = blobs.get(p.digest)?.state
      blobs.set(p.digest, p)
      if (tty) draw(p.state === 'done' || p.state === 'exists' || p.state === 'mounted')
      else if (before !== p.state && p.state !== 'downloading' && p.state !== 'uploading') {
        stream.write(`${verb} ${p.digest}: ${p.state} (${bytesBinary(p.size)})\n`)
      }
    },
    done(): void {
      if (!quiet && tty) draw(true)
    },
  }
}

export async function pullCommand(ctx: CommandContext, p: Parsed): Promise<void> {
  const [ref] = positional(p, 'pull', 1, 1, 'give exactly one reference (berth pull REF)')
  const platforms = strs(p, 'platform')
    .flatMap((s) => s.split(','))
    .filter((s) => s !== '')
  if (flag(p, 'all-platforms') && platforms.length > 0) {
    throw usage('pull: --all-platforms and --platform exclude each other', 'pull')
  }
  const concurrency = wholeNumber(p, 'concurrency', 'pull')
  const b = ctx.berth()
  const progress = blobProgress(ctx.stderr, 'pull', flag(p, 'no-progress') || ctx.json)
  const r = await pull({
    cs: b.content,
    images: b.images,
    db: b.db,
    ns: ctx.namespace,
    ref,
    platforms: flag(p, 'all-platforms') ? 'all' : platforms.map((s) => platformFlag(s, 'pull')),
    ...(b.host ? { host: b.host } : {}),
    registry: await registryOptions(ctx, p),
    ...(concurrency ? { concurrency } : {}),
    signal: ctx.signal,
    onProgress: (e) => progress.update(e),
  })
  progress.done()
  if (ctx.json) {
    ctx.out(
      JSON.stringify({ name: r.image.name, target: r.image.target, fetchedBytes: r.fetchedBytes }, null, 2) +
        '\n',
    )
  } else {
    ctx.out(`${r.image.name} ${r.image.target.digest} (${bytesBinary(r.fetchedBytes)} downloaded)\n`)
  }
}

export async function pushCommand(ctx: CommandContext, p: Parsed): Promise<void> {
  const [given, ref] = positional(
    p,
    'push',
    1,
    2,
    'give an image name and optionally where to push it (berth push NAME [REF])',
  )
  const chunk = wholeNumber(p, 'chunk-size', 'push')
  const concurrency = wholeNumber(p, 'concurrency', 'push')
  const b = ctx.berth()
  // The local name resolves as every lookup does; it is also where the image goes without a REF.
  const name = resolveImage(b, ctx.namespace, given).name
  const progress = blobProgress(ctx.stderr, 'push', flag(p, 'no-progress') || ctx.json)
  const r = await push({
    cs: b.content,
    images: b.images,
    ns: ctx.namespace,
    name,
    ref: ref ?? name,
    platforms: strs(p, 'platform')
      .flatMap((s) => s.split(','))
      .filter((s) => s !== '')
      .map((s) => platformFlag(s, 'push')),
    registry: await registryOptions(ctx, p),
    ...(chunk ? { chunkSize: chunk } : {}),
    ...(concurrency ? { concurrency } : {}),
    signal: ctx.signal,
    onProgress: (e) => progress.update(e),
  })
  progress.done()
  if (ctx.json) ctx.out(JSON.stringify(r, null, 2) + '\n')
  else {
    ctx.out(
      `${r.name} ${r.desc.digest} (${r.uploaded.length} uploaded, ${r.mounted.length} mounted, ${r.skipped.length} already there)\n`,
    )
  }
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let s = ''
  for await (const c of stdin) s += typeof c === 'string' ? c : (c as Buffer).toString('utf8')
  return s.replace(/\r?\n$/, '')
}

/** Reads a line from the terminal, without echo when `hidden`. */
async function prompt(ctx: CommandContext, question: string, hidden: boolean): Promise<string> {
  const stdin = ctx.stdin
  if (!stdin.isTTY) throw usage('login: no terminal to prompt on: use -u USER --password-stdin', 'login')
  ctx.stderr.write(question)
  stdin.setRawMode(hidden)
  stdin.resume()
  try {
    let s = ''
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return s
        if (ch === '\u0003') throw new Interrupted('login: cancelled')
        if (ch === '\u007f') s = s.slice(0, -1)
        else s += ch
      }
    }
    return s
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    if (hidden) ctx.stderr.write('\n')
  }
}

export async function loginCommand(ctx: CommandContext, p: Parsed): Promise<void> {
  const [host] = positional(p, 'login', 1, 1, 'give exactly one registry host (berth login HOST)')
  validateRegistryHost(normalizeHost(host))
  // Refused before any password is asked for or sent.
  const store = await cliLogins(ctx)
  if (!store) throw failedPrecondition(`login: ${noKeychain()}`)
  const username = str(p, 'username') ?? (await prompt(ctx, 'Username: ', false))
  const secret = flag(p, 'password-stdin')
    ? await readStdin(ctx.stdin)
    : await prompt(ctx, 'Password: ', true)
  if (!username || !secret) throw usage('login: username and password are both required', 'login')
  await login({ host, credentials: { username, secret }, store, registry: transport(p), signal: ctx.signal })
  ctx.out('Login Succeeded\n')
}

export async function logoutCommand(ctx: CommandContext, p: Parsed): Promise<void> {
  const [host] = positional(p, 'logout', 1, 1, 'give exactly one registry host (berth logout HOST)')
  const store = await cliLogins(ctx)
  const removed = store ? await logout(host, store) : false
  ctx.out(removed ? `Removed login credentials for ${host}\n` : `Not logged in to ${host}\n`)
}
