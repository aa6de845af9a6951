// References are parsed and normalised as docker/distribution does: table-driven, both ways.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import {
  endpointHost,
  formatReference,
  hostname,
  manifestSelector,
  normalizeReference,
  parseReference,
} from '../../src-main/core/transfer/registry/reference'

const D = `sha256:${'a'.repeat(64)}`

describe('parseReference', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/nginx:alpine', 'docker.io/library/nginx:alpine'],
    ['user/repo', 'docker.io/user/repo:latest'],
    ['docker.io/user/repo/deep', 'docker.io/user/repo/deep:latest'],
    ['localhost/foo', 'localhost/foo:latest'],
    ['localhost:5000/foo/bar:tag', 'localhost:5000/foo/bar:tag'],
    ['127.0.0.1:5000/foo', '127.0.0.1:5000/foo:latest'],
    ['[::1]:5000/foo:v1', '[::1]:5000/foo:v1'],
    ['ghcr.io/owner/img:v1.2.3-rc_1', 'ghcr.io/owner/img:v1.2.3-rc_1'],
    ['Foo/bar', 'Foo/bar:latest'],
    ['ab-c__d/e.f', 'docker.io/ab-c__d/e.f:latest'],
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
    [`registry.example.com:443/x/y@${D}`, `registry.example.com:443/x/y@${D}`],
  ])('%s → %s', (input, want) => {
    expect(normalizeReference(input)).toBe(want)
  })

  it.each([
    ['', /at least one component/],
    ['NGINX', /must be lowercase/],
    ['docker.io/Library/nginx', /must be lowercase/],
    ['a'.repeat(64).replace(/a/g, 'f'), /64-byte hexadecimal/],
    ['nginx:', /invalid tag/],
    [`nginx:${'t'.repeat(129)}`, /invalid tag/],
    ['nginx@sha256:abc', /invalid digest/],
    [`nginx@sha256:${'A'.repeat(64)}`, /invalid digest/],
    ['foo/-bar', /invalid repository path/],
    ['foo//bar', /invalid repository path/],
    ['foo/bar/', /invalid repository path/],
    [' nginx', /white space/],
    ['-host.example.com/x', /invalid registry host/],
    ['a.b_c/e', /invalid registry host/],
    [`example.com/${'a'.repeat(250)}`, /not be more than 255/],
  ])('refuses %j', (input, why) => {
    let err: unknown
    try {
      parseReference(input)
    } catch (e) {
      err = e
    }
    expect(isKind(err, 'invalid-argument')).toBe(true)
    expect((err as Error).message).toMatch(why)
    expect((err as Error).message).toContain('invalid reference')
  })

  it('splits the parts and can keep a bare name', () => {
    const r = parseReference('localhost:5000/a/b')
    expect(r).toEqual({ domain: 'localhost:5000', path: 'a/b', tag: 'latest' })
    expect(parseReference('a/b', { defaultTag: false })).toEqual({ domain: 'docker.io', path: 'a/b' })
    expect(manifestSelector(parseReference(`x:t@${D}`))).toBe(D)
    expect(manifestSelector(parseReference('x:t'))).toBe('t')
    expect(formatReference(parseReference('x'))).toBe('docker.io/library/x:latest')
  })

  it.each([
    ['docker.io', 'registry-1.docker.io', 'docker.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000', '127.0.0.1'],
    ['[::1]:5000', '[::1]:5000', '::1'],
    ['ghcr.io', 'ghcr.io', 'ghcr.io'],
  ])('domain %s: endpoint %s, label host %s', (domain, endpoint, host) => {
    expect(endpointHost(domain)).toBe(endpoint)
    expect(hostname(domain)).toBe(host)
  })
})
