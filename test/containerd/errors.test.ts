// gRPC status → Berth's kinds, as containerd's errgrpc maps its errdefs classes; and the messages a
// user reads when the socket cannot be used. No daemon needed: these are the answers grpc-js gives.
import { Metadata, status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import { fromGrpc } from '../../src-main/core/containerd/errors'
import { BerthError } from '../../src-main/core/errors'

const SOCK = '/run/containerd/containerd.sock'
const grpcError = (code: number, details: string) =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() })

describe('fromGrpc', () => {
  it.each([
    [status.NOT_FOUND, 'not-found'],
    [status.ALREADY_EXISTS, 'already-exists'],
    [status.INVALID_ARGUMENT, 'invalid-argument'],
    [status.FAILED_PRECONDITION, 'failed-precondition'],
    [status.UNAVAILABLE, 'unavailable'],
    [status.UNIMPLEMENTED, 'not-implemented'],
    [status.DEADLINE_EXCEEDED, 'unavailable'],
    [status.OUT_OF_RANGE, 'invalid-argument'],
    [status.PERMISSION_DENIED, 'failed-precondition'],
  ])('code %i is %s, with containerd’s message after what Berth was doing', (code, kind) => {
    const e = fromGrpc(grpcError(code, 'image "x": not found'), SOCK, 'getting image x')
    expect(e).toBeInstanceOf(BerthError)
    expect((e as BerthError).kind).toBe(kind)
    expect(e.message).toBe(`containerd at ${SOCK}: getting image x: image "x": not found`)
  })

  it('a cancelled call is an AbortError, so a cancelled job reads as cancelled', () => {
    expect(fromGrpc(grpcError(status.CANCELLED, 'Cancelled on client'), SOCK, 'reading').name).toBe(
      'AbortError',
    )
  })

  it.each([
    ['No connection established. Last error: Error: connect ENOENT /x.sock', /is not running at/],
    ['No connection established. Last error: Error: connect ECONNREFUSED /x.sock', /refused the connection/],
    [
      'No connection established. Last error: Error: connect EACCES /x.sock',
      /permission denied on containerd's socket/,
    ],
    ['Connection dropped', /lost the connection to containerd at .*: it stopped or restarted/],
  ])('a socket that cannot be used: %s', (details, message) => {
    const e = fromGrpc(grpcError(status.UNAVAILABLE, details), SOCK, 'listing images') as BerthError
    expect(e.kind).toBe('unavailable')
    expect(e.message).toMatch(message)
    expect(e.message).toContain(SOCK)
  })
})
