// app://berth serves the built renderer and nothing else: traversal in every spelling, encoded
// separators, other hosts, symlinks out of the directory and non-GET methods are refused; files come
// with the page's Content-Security-Policy as a header (plus frame-ancestors), and the header and the
// page's meta tag say the same thing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_INDEX, appResponse, CSP, resolveAppFile } from '../../src-main/app/app-protocol'
import { ROOT } from '../support/host'

let base: string
let renderer: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'berth-app-protocol-'))
  renderer = join(base, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Berth</title>')
  writeFileSync(join(renderer, 'assets', 'index-1.js'), 'console.log(1)')
  writeFileSync(join(base, 'secret.txt'), 'not for the renderer')
  // A sibling whose name starts like the renderer directory: a prefix check without a separator lets it through.
  mkdirSync(join(base, 'renderer-evil'))
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil')
  symlinkSync(join(base, 'secret.txt'), join(renderer, 'assets', 'link.txt'))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('app:// confinement', () => {
  it('serves the index and the assets', async () => {
    expect(resolveAppFile(renderer, APP_INDEX)).toBe(join(renderer, 'index.html'))
    expect(resolveAppFile(renderer, 'app://berth/')).toBe(join(renderer, 'index.html'))
    const r = await appResponse(renderer, { url: 'app://berth/assets/index-1.js', method: 'GET' })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await r.text()).toBe('console.log(1)')
  })

  it.each([
    'app://berth/../secret.txt',
    'app://berth/%2e%2e/secret.txt',
    'app://berth/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://berth/..%2fsecret.txt',
    'app://berth/..%5csecret.txt',
    'app://berth/assets/..%5c..%5csecret.txt',
    'app://berth/%2e%2e/renderer-evil/x.js',
    'app://berth/index.html%00.js',
    'app://berth/%E0%A4%A',
    'app://berth/assets/link.txt',
    'app://berth/assets',
    'app://berth/nope.js',
    'app://evil/index.html',
    'file:///etc/passwd',
    'https://berth/index.html',
  ])('refuses %s', async (url) => {
    expect(resolveAppFile(renderer, url)).toBeNull()
    const r = await appResponse(renderer, { url, method: 'GET' })
    expect(r.status).toBe(404)
    expect(await r.text()).not.toContain('not for the renderer')
  })

  it('answers only GET and HEAD', async () => {
    expect((await appResponse(renderer, { url: APP_INDEX, method: 'POST' })).status).toBe(405)
    const head = await appResponse(renderer, { url: APP_INDEX, method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('sends the CSP with frame-ancestors, the same policy the page declares', async () => {
    const r = await appResponse(renderer, { url: APP_INDEX, method: 'GET' })
    expect(r.headers.get('content-security-policy')).toBe(`${CSP}; frame-ancestors 'none'`)
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
    const html = readFileSync(join(ROOT, 'src-renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(CSP)
  })
})
