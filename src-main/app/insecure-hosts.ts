// "Allow plain HTTP or an unverified certificate" is the renderer's wish, not its decision: main asks
// the user once per registry host with a native dialog and remembers the answer in a file under
// userData. A host the user has not confirmed is refused before the store host hears of the call.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Channel } from '../../src-preload/api'
import { failedPrecondition } from '../core/errors'
import { normalizeHost } from '../core/transfer/registry/credentials'
import { endpointHost, parseReference, validateRegistryHost } from '../core/transfer/registry/reference'

/** The registry host a request talks to, exactly as the store host will name it in insecureHosts. */
const refHost = (ref: unknown): string => endpointHost(parseReference(String(ref)).domain)

export const INSECURE_RULES: Partial<Record<Channel, (req: Record<string, unknown>) => string>> = {
  'images.pull': (r) => refHost(r.ref),
  'images.push': (r) => refHost((typeof r.ref === 'string' && r.ref.trim()) || r.name),
  'registry.inspect': (r) => refHost(r.ref),
  'registry.login': (r) => endpointHost(validateRegistryHost(normalizeHost(String(r.host)))),
}

export interface InsecureHosts {
  /** Resolves when the host may be used insecurely (asking the user if needed); throws otherwise. */
  require(host: string): Promise<void>
  list(): string[]
}

const MAX_HOSTS = 256
const MAX_FILE_BYTES = 64 * 1024

function load(file: string): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  if (text.length > MAX_FILE_BYTES) return []
  try {
    const j = JSON.parse(text) as { version?: unknown; hosts?: unknown }
    if (j.version !== 1 || !Array.isArray(j.hosts)) return []
    return j.hosts.filter((h): h is string => typeof h === 'string' && h.length <= 255).slice(0, MAX_HOSTS)
  } catch {
    // A damaged file forgets its hosts: the user is asked again, which is the safe side.
    return []
  }
}

export function createInsecureHosts(
  file: string,
  confirm: (host: string) => Promise<boolean>,
): InsecureHosts {
  const allowed = new Set(load(file))
  const asking = new Map<string, Promise<boolean>>()
  const save = (): void => {
    mkdirSync(dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify({ version: 1, hosts: [...allowed] }, null, 2), { mode: 0o600 })
    renameSync(tmp, file)
  }
  return {
    async require(host) {
      if (allowed.has(host)) return
      let answer = asking.get(host)
      if (!answer) {
        answer = confirm(host).finally(() => asking.delete(host))
        asking.set(host, answer)
      }
      if (!(await answer)) {
        throw failedPrecondition(
          `plain HTTP or an unverified certificate for ${host} was not allowed: ` +
            'Berth asks once per registry, and only connects insecurely where you said yes',
        )
      }
      if (!allowed.has(host) && allowed.size < MAX_HOSTS) {
        allowed.add(host)
        save()
      }
    },
    list: () => [...allowed],
  }
}
