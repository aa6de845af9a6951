// A filter parse error as the UI shows it: containerd's message plus the position to mark. The core's
// message embeds the input as `[<before> >|<char>|< <after>]`, so the position is recovered from it
// rather than from a second parser.
import type { FilterError } from '../../src-preload/api'

const PREFIX = 'filters: parse error: ['

export function filterErrorOf(input: string, e: unknown): FilterError {
  const message = e instanceof Error ? e.message : String(e)
  const at = message.indexOf(PREFIX)
  if (at >= 0) {
    const body = message.slice(at + PREFIX.length)
    // The longest prefix of the input that the message shows before the marker.
    for (let i = input.length; i >= 0; i--) {
      if (body.startsWith(input.slice(0, i) + ' >|')) return { message, position: i }
    }
  }
  return { message, position: input.length }
}
