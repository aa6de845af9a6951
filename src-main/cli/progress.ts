// Progress for long operations, on stderr so stdout stays parseable: a redrawn line on a terminal,
// plain lines otherwise (a line per 10% step, or every 2 s, plus the phases). Bytes and the rate are
// always shown; a percentage only when the total is known (a file, not stdin).
import type { TransferProgress } from '../core/transfer/import'
import { bytesBinary } from './table'

export interface ProgressSink {
  update(p: TransferProgress): void
  done(): void
}

const PHASES = new Set(['resolving', 'saving', 'done'])

export function progressSink(
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
  now: () => number = Date.now,
): ProgressSink {
  if (quiet) return { update: () => undefined, done: () => undefined }
  const tty = Boolean(stream.isTTY)
  const started = now()
  let last = 0
  let lastCurrent = ''
  let lastStep = -1
  let drawn = false
  const rate = (p: TransferProgress) => {
    const seconds = (now() - started) / 1000
    return `${bytesBinary(seconds > 0 ? p.bytesDone / seconds : 0)}/s`
  }
  const pct = (p: TransferProgress) => Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100))
  const amount = (p: TransferProgress) =>
    p.bytesTotal > 0
      ? `${pct(p)}% ${bytesBinary(p.bytesDone)}/${bytesBinary(p.bytesTotal)}, ${rate(p)}`
      : `${bytesBinary(p.bytesDone)} read, ${rate(p)}`
  const what = (p: TransferProgress, max: number) =>
    !p.current ? '' : ` ${p.current.length > max ? `…${p.current.slice(-(max - 1))}` : p.current}`
  return {
    update(p) {
      const t = now()
      if (tty) {
        if (t - last < 100 && p.current !== 'done') return
        last = t
        stream.write(`\r\x1b[K${verb} ${amount(p)}${what(p, 30)}`)
        drawn = true
        return
      }
      const step = p.bytesTotal > 0 ? Math.floor(pct(p) / 10) : lastStep
      const phase = PHASES.has(p.current)
      if (!phase && step === lastStep && t - last < 2000) return
      if (phase && p.current === lastCurrent) return
      lastStep = step
      lastCurrent = p.current
      last = t
      stream.write(`${verb}: ${amount(p)}${what(p, 200)}\n`)
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K')
    },
  }
}
