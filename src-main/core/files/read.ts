// Reading files back out of a layer: the layer is streamed again and parsed until the wanted entries
// (found by their position in the tar, which the index recorded), whose bodies go to the caller. Reading
// stops as soon as the last wanted body ends.
import type { Provider } from '../content/provider'
import type { Descriptor } from '../oci'
import { pumpLayer, STOP } from './layer-stream'
import { TarEntries } from './tar-entries'

export interface LayerBlob {
  provider: Provider
  desc: Descriptor
}

export interface BodyVisitor {
  /** A wanted entry begins. */
  start(seq: number): void | Promise<void>
  /** Return STOP to end the read here (enough was read). */
  chunk(data: Buffer): void | typeof STOP | Promise<void | typeof STOP>
  /** The wanted entry ended; return STOP to end the read here. */
  end(seq: number): void | typeof STOP | Promise<void | typeof STOP>
}

/** Streams the bodies of the entries numbered `seqs` (ascending tar positions) through `visit`. */
export async function readBodies(
  blob: LayerBlob,
  seqs: ReadonlySet<number>,
  visit: BodyVisitor,
  opts: { signal?: AbortSignal } = {},
): Promise<number> {
  const last = Math.max(-1, ...seqs)
  // Parser events fire synchronously inside a write; they are queued and replayed after it, so the
  // visitor may await (a slow disk) without the parser running ahead unbounded.
  type Event = ['start', number] | ['chunk', Buffer] | ['end', number]
  const events: Event[] = []
  let current = -1
  let found = 0
  const tar = new TarEntries(`layer ${blob.desc.digest}`, {
    entry(e) {
      if (!seqs.has(e.seq)) return false
      current = e.seq
      found++
      events.push(['start', e.seq])
      return true
    },
    body: (c) => void events.push(['chunk', c]),
    bodyEnd: () => void events.push(['end', current]),
  })
  let stop = false
  const drain = async (): Promise<void> => {
    for (const ev of events.splice(0)) {
      if (ev[0] === 'start') await visit.start(ev[1])
      else if (ev[0] === 'chunk') stop = (await visit.chunk(ev[1])) === STOP
      else if ((await visit.end(ev[1])) === STOP || ev[1] === last) stop = true
      if (stop) return
    }
  }
  const r = await pumpLayer(
    blob.provider,
    blob.desc,
    async (c) => {
      await tar.write(c)
      await drain()
      return stop ? STOP : undefined
    },
    { signal: opts.signal },
  )
  if (!r.stopped) {
    await tar.end()
    await drain()
  }
  return found
}

/** Up to `limit` bytes of one entry's body (its head, for a preview). */
export async function readHead(
  blob: LayerBlob,
  seq: number,
  limit: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const parts: Buffer[] = []
  let got = 0
  await readBodies(
    blob,
    new Set([seq]),
    {
      start() {},
      chunk(c) {
        const take = c.subarray(0, limit - got)
        parts.push(Buffer.from(take))
        got += take.length
        return got >= limit ? STOP : undefined
      },
      end: () => STOP,
    },
    { signal },
  )
  return Buffer.concat(parts)
}
