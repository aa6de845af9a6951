// Registry error bodies become errors of the right kind and reason, with messages a person can use.
import { describe, expect, it } from 'vitest'
import { isKind } from '../../src-main/core/errors'
import { registryError } from '../../src-main/core/transfer/registry/errors'
import { mergeSources, mountCandidate } from '../../src-main/core/transfer/registry/source'

const body = (code: string, message = ''): string =>
  JSON.stringify({ errors: [{ code, message, detail: null }] })

describe('registryError', () => {
  it.each([
    [401, body('UNAUTHORIZED', 'authentication required'), 'failed-precondition', 'unauthorized', /log in/],
    [
      403,
      body('DENIED', 'requested access to the resource is denied'),
      'failed-precondition',
      'denied',
      /access denied/,
    ],
    [404, body('MANIFEST_UNKNOWN', 'manifest unknown'), 'not-found', 'manifest-unknown', /manifest unknown/],
    [
      404,
      body('NAME_UNKNOWN', 'repository name not known to registry'),
      'not-found',
      'name-unknown',
      /repository name/,
    ],
    [404, body('BLOB_UNKNOWN'), 'not-found', 'blob-unknown', /blob unknown/],
    [
      429,
      body('TOOMANYREQUESTS', 'You have reached your pull rate limit'),
      'unavailable',
      'rate-limited',
      /pull rate limit/,
    ],
    [400, body('MANIFEST_INVALID', 'manifest invalid'), 'invalid-argument', 'invalid', /manifest invalid/],
    [503, '<html>busy</html>', 'unavailable', 'server-error', /status 503/],
    [401, '', 'failed-precondition', 'unauthorized', /log in/],
    [418, 'teapot', 'failed-precondition', 'unexpected', /unexpected status 418/],
  ])('%i %s', (status, text, kind, reason, msg) => {
    const e = registryError(status, text, 'pulling x')
    expect(isKind(e, kind as never)).toBe(true)
    expect(e.reason).toBe(reason)
    expect(e.status).toBe(status)
    expect(e.message).toMatch(/^pulling x: /)
    expect(e.message).toMatch(msg)
  })
})

describe('distribution.source', () => {
  it('merges sorted and de-duplicated', () => {
    expect(mergeSources(undefined, 'b/c')).toBe('b/c')
    expect(mergeSources('x/y,b/c', 'b/c')).toBe('b/c,x/y')
    expect(mergeSources('z', 'a')).toBe('a,z')
  })

  it.each([
    ['team/app/one,other/x', 'team/app/two', 'team/app/one'],
    ['team/app/two', 'team/app/two', undefined],
    ['a/b,team/x', 'team/app/two', 'team/x'],
    ['a/b,c/d', 'team/app', 'a/b'],
    ['', 'team/app', undefined],
  ])('mount candidate from %j for %s is %s', (listed, target, want) => {
    const labels: Record<string, string> = listed
      ? { 'containerd.io/distribution.source.reg.example.com': listed }
      : {}
    expect(mountCandidate(labels, 'reg.example.com', target)).toBe(want)
  })
})
