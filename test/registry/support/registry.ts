// A real docker-registry (distribution 2.8) per test file: its own config, storage and port on
// 127.0.0.1, stopped by the test that started it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REGISTRY_BIN = process.env.BERTH_DOCKER_REGISTRY ?? 'docker-registry'

let warned = false
export function hasRegistry(): boolean {
  const ok = spawnSync('which', [REGISTRY_BIN]).status === 0
  if (!ok && !warned) {
    warned = true
    console.warn(
      `skipping registry tests: ${REGISTRY_BIN} is not installed (apt-get install docker-registry)`,
    )
  }
  return ok
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export interface RegistryConfig {
  tls?: { cert: string; key: string; caPem: string }
  htpasswd?: string
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string }
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  port: number
  url: string
  dir: string
  storage: string
  stop(): Promise<void>
}

function yaml(storage: string, port: number, c: RegistryConfig): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ]
  if (c.tls) lines.push('  tls:', `    certificate: ${c.tls.cert}`, `    key: ${c.tls.key}`)
  if (c.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${c.htpasswd}`)
  if (c.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${c.token.realm}`,
      `    service: ${c.token.service}`,
      `    issuer: ${c.token.issuer}`,
      `    rootcertbundle: ${c.token.rootcertbundle}`,
    )
  }
  return lines.join('\n') + '\n'
}

function probe(url: string, caPem?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const lib = url.startsWith('https:') ? https : http
    const req = lib.get(`${url}/v2/`, { ca: caPem, timeout: 1000 }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
  })
}

export async function startRegistry(c: RegistryConfig = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'))
  const storage = join(dir, 'storage')
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const config = join(dir, 'config.yml')
    writeFileSync(config, yaml(storage, port, c))
    const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)))
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    const url = `${c.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    let up = false
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      if (await probe(url, c.tls?.caPem)) {
        up = true
        break
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    if (!up) {
      child.kill('SIGKILL')
      await exited
      if (attempt < 2 && /address already in use/.test(stderr)) continue
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`docker-registry did not start: ${stderr}`)
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      url,
      dir,
      storage,
      stop: async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM')
          const t = setTimeout(() => child.kill('SIGKILL'), 3000)
          await exited
          clearTimeout(t)
        }
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
}

/** Temp directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
