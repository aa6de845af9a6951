// The transport's rules, against real local HTTP servers: which hosts may go without TLS, redirects
// that never carry credentials to another origin, retries that honour Retry-After.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import { Transport, isLoopback, parseRetryAfter } from '../../src-main/core/transfer/registry/http'

const servers: http.Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})
async function serve(h: http.RequestListener): Promise<string> {
  const s = http.createServer(h)
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  return `127.0.0.1:${(s.address() as AddressInfo).port}`
}

describe('transport', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['registry.example.com', false],
    ['10.0.0.1:5000', false],
    ['localhost.example.com', false],
  ])('isLoopback(%s) = %s', (host, want) => {
    expect(isLoopback(host)).toBe(want)
  })

  it('uses HTTPS by default and plain HTTP only where allowed', () => {
    const t = new Transport()
    expect(t.baseUrl('registry.example.com').protocol).toBe('https:')
    expect(t.baseUrl('127.0.0.1:5000').protocol).toBe('https:')
    const plain = new Transport({ plainHttp: true, insecureHosts: ['intranet:5000'] })
    expect(plain.baseUrl('localhost:5000').protocol).toBe('http:')
    expect(plain.baseUrl('intranet:5000').protocol).toBe('http:')
    expect(() => plain.baseUrl('registry.example.com')).toThrow(/refusing plain HTTP/)
    try {
      plain.baseUrl('registry.example.com')
    } catch (e) {
      expect(isKind(e, 'invalid-argument')).toBe(true)
    }
    t.close()
    plain.close()
  })

  it('falls back to HTTP for a loopback registry that does not speak TLS', async () => {
    const host = await serve((_req, res) => res.end('ok'))
    const t = new Transport()
    const res = await t.send({ method: 'GET', url: new URL(`https://${host}/v2/`) })
    expect(await res.text()).toBe('ok')
    expect(res.url.protocol).toBe('http:')
    expect(t.baseUrl(host).protocol).toBe('http:')
    t.close()
  })

  it('drops credentials on a redirect to another origin, keeps them on the same origin', async () => {
    const seen: Record<string, string | undefined> = {}
    const other = await serve((req, res) => {
      seen.other = req.headers.authorization
      res.end('blob')
    })
    const reg = await serve((req, res) => {
      if (req.url === '/same') {
        seen.same = req.headers.authorization
        res.end('same')
        return
      }
      seen.first = req.headers.authorization
      const to = req.url === '/to-same' ? '/same' : `http://${other.replace('127.0.0.1', 'localhost')}/blob`
      res.writeHead(307, { Location: to }).end()
    })
    const t = new Transport()
    const r1 = await t.send({
      method: 'GET',
      url: new URL(`http://${reg}/x`),
      headers: { Authorization: 'Bearer secret' },
    })
    expect(await r1.text()).toBe('blob')
    expect(seen.first).toBe('Bearer secret')
    expect(seen.other).toBeUndefined()
    const r2 = await t.send({
      method: 'GET',
      url: new URL(`http://${reg}/to-same`),
      headers: { Authorization: 'Bearer secret' },
    })
    expect(await r2.text()).toBe('same')
    expect(seen.same).toBe('Bearer secret')
    t.close()
  })

  it('allows plain HTTP (and HTTPS→HTTP redirects) only towards loopback or insecure hosts', () => {
    const t = new Transport({ insecureHosts: ['intranet:5000'] })
    expect(t.mayUsePlainHttp('evil.example.com')).toBe(false)
    expect(t.mayUsePlainHttp('intranet:5000')).toBe(true)
    expect(t.mayUsePlainHttp('intranet:5001')).toBe(false)
    expect(t.mayUsePlainHttp('localhost:1')).toBe(true)
    t.close()
  })

  it('retries 503 and 429, waiting as Retry-After says', async () => {
    const times: number[] = []
    const host = await serve((_req, res) => {
      times.push(Date.now())
      if (times.length === 1) res.writeHead(503, { 'Retry-After': '1' }).end()
      else if (times.length === 2) res.writeHead(429, { 'Retry-After': '0' }).end()
      else res.end('finally')
    })
    const t = new Transport({ backoffMs: 10 })
    const res = await t.send({ method: 'GET', url: new URL(`http://${host}/`) })
    expect(await res.text()).toBe('finally')
    expect(times).toHaveLength(3)
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(950)
    t.close()
  })

  it('gives up after its retries and returns the last answer', async () => {
    let n = 0
    const host = await serve((_req, res) => {
      n++
      res.writeHead(500).end()
    })
    const t = new Transport({ retries: 2, backoffMs: 5 })
    const res = await t.send({ method: 'GET', url: new URL(`http://${host}/`) })
    expect(res.status).toBe(500)
    expect(n).toBe(3)
    t.close()
  })

  it('times out a silent server', async () => {
    const host = await serve(() => {
      /* never answers */
    })
    const t = new Transport({ timeoutMs: 300, retries: 0 })
    const e = await t.send({ method: 'GET', url: new URL(`http://${host}/`) }).catch((x: unknown) => x)
    expect(isKind(e, 'unavailable')).toBe(true)
    expect((e as Error).message).toMatch(/no activity for 300 ms/)
    t.close()
  })

  it.each([
    ['5', 5000],
    [' 0 ', 0],
    [undefined, undefined],
    ['soon', undefined],
  ])('parseRetryAfter(%j) = %j', (v, want) => {
    expect(parseRetryAfter(v)).toBe(want)
  })

  it('reads an HTTP-date Retry-After', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000)
  })
})
