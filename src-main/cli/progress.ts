// Progress for long operations, on stderr so stdout stays parseable: a redrawn bar on a terminal,
// plain lines (one per archive entry, at most a few per second) otherwise.
import type { TransferProgress } from '../core/transfer/import'
import { bytesBinary } from './table'

export interface ProgressSink {
  update(p: TransferProgress): void
  done(): void
}

export function progressSink(
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
): ProgressSink {
  if (quiet) return { update: () => undefined, done: () => undefined }
  const tty = Boolean(stream.isTTY)
  let last = 0
  let lastCurrent = ''
  let lastStep = -1
  let drawn = false
  const amount = (p: TransferProgress) =>
    p.bytesTotal > 0 ? `${bytesBinary(p.bytesDone)}/${bytesBinary(p.bytesTotal)}` : bytesBinary(p.bytesDone)
  const pct = (p: TransferProgress) =>
    p.bytesTotal > 0 ? Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100)) : 0
  return {
    update(p) {
      const now = Date.now()
      if (tty) {
        if (now - last < 100 && p.current !== 'done') return
        last = now
        const cols = Math.max(20, Math.min(40, (stream.columns ?? 80) - 60))
        const filled = Math.round((pct(p) / 100) * cols)
        const bar = `[${'='.repeat(filled)}${filled < cols ? '>' : ''}${' '.repeat(Math.max(0, cols - filled - 1))}]`
        const what = p.current.length > 30 ? `…${p.current.slice(-29)}` : p.current
        stream.write(`\r\x1b[K${verb} ${bar} ${String(pct(p)).padStart(3)}% ${amount(p)} ${what}`)
        drawn = true
        return
      }
      // A line per 10% step or every 2 s (plus the phases), so logs stay short.
      const step = Math.floor(pct(p) / 10)
      const phase = p.current === 'resolving' || p.current === 'saving' || p.current === 'done'
      if (!phase && step === lastStep && now - last < 2000) return
      if (phase && p.current === lastCurrent) return
      lastStep = step
      lastCurrent = p.current
      last = now
      stream.write(`${verb}: ${pct(p)}% ${amount(p)} ${p.current}\n`)
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K')
    },
  }
}
