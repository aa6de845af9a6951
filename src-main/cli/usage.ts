// Exit statuses, the same for every command and subcommand: 0 success, 1 failure, 2 usage error (a bad
// flag, a missing or extra argument, an unknown command), 130 interrupted (Ctrl-C).
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_INTERRUPTED = 130

/** The command line itself is wrong: nothing was attempted. `command` names where to look for help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The user stopped the command (Ctrl-C read from a raw terminal, where it is no signal). */
export class Interrupted extends Error {
  constructor(message = 'interrupted') {
    super(message)
    this.name = 'Interrupted'
  }
}

export const usage = (message: string, command?: string): UsageError => new UsageError(message, command)

/** The nearest of `choices` to a mistyped word, when it is close enough to be a likely typo. */
export function nearest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of choices) {
    const d = editDistance(word, c)
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}
