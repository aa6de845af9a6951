// The CLI's per-blob progress: bars redrawn in place on a terminal, one line per finished blob in a log.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { blobProgress } from '../../src-main/cli/registry'

function stream(tty: boolean): { s: NodeJS.WriteStream; text: () => string } {
  let out = ''
  const w = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.toString('utf8')
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  Object.assign(w, { isTTY: tty, columns: 100 })
  return { s: w, text: () => out }
}

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const ev = (digest: string, offset: number, state: 'downloading' | 'done' | 'exists') => ({
  digest,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  size: 2048,
  offset,
  state,
})

describe('blobProgress', () => {
  it('draws a bar per blob on a terminal and redraws them in place', () => {
    const t = stream(true)
    const p = blobProgress(t.s, 'pull', false)
    p.update(ev(A, 1024, 'downloading'))
    p.update(ev(B, 2048, 'exists'))
    p.update(ev(A, 2048, 'done'))
    p.done()
    const out = t.text()
    expect(out).toContain(
      `aaaaaaaaaaaa [${'='.repeat(12)}${' '.repeat(12)}]  50% 1.0 KiB/2.0 KiB downloading`,
    )
    expect(out).toContain(`bbbbbbbbbbbb [${'='.repeat(24)}] 100% 2.0 KiB/2.0 KiB exists`)
    expect(out).toContain('\x1b[2A')
    // The last frame: both blobs, in the order they first appeared.
    const frame = out.slice(out.lastIndexOf('\x1b[2A'))
    expect(frame).toMatch(/aaaaaaaaaaaa .* 100% .* done\n.*bbbbbbbbbbbb .* exists\n$/s)
  })

  it('writes one line per state change, not per chunk, in a log', () => {
    const t = stream(false)
    const p = blobProgress(t.s, 'push', false)
    p.update(ev(A, 512, 'downloading'))
    p.update(ev(A, 1024, 'downloading'))
    p.update(ev(A, 2048, 'done'))
    p.done()
    expect(t.text()).toBe(`push ${A}: done (2.0 KiB)\n`)
  })

  it('stays silent when asked to', () => {
    const t = stream(true)
    const p = blobProgress(t.s, 'pull', true)
    p.update(ev(A, 2048, 'done'))
    p.done()
    expect(t.text()).toBe('')
  })
})
