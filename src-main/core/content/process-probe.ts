// Is the process that wrote a lock file still running? process.kill(pid, 0) answers for the pid, but a
// pid is reused once its process is gone, so a lock also records when its owner started, taken from a
// source each OS has: /proc/<pid>/stat on Linux, `ps -o lstart=` on macOS and the BSDs, PowerShell's
// Process.StartTime on Windows. Where none answers (Linux without /proc, a locked-down Windows) the
// pid alone decides, in the safe direction: a running pid keeps its lock.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * When a process started. `boot:<ticks>` (Linux, clock ticks since boot) compares exactly; `at:<ms>`
 * (milliseconds since the epoch) compares within START_TOLERANCE_MS, since a process measures its own
 * start a little after the OS does, and `ps` reports whole seconds.
 */
export type StartTime = string

export interface ProcessProbe {
  /** False only when the pid certainly runs nothing (ESRCH). */
  running(pid: number): boolean
  /** The pid's start time; null when it certainly is not running (a zombie); undefined when unknown. */
  startTime(pid: number): StartTime | null | undefined
  /** This process's start time in a form `startTime` on another process of this machine matches. */
  self(): StartTime | undefined
}

/** Generous on purpose: a wider window can only keep a lock whose owner died, never break a live one. */
export const START_TOLERANCE_MS = 60_000

/** Whether two start times name the same process start: true, false, or undefined (incomparable). */
export function sameStart(a: StartTime, b: StartTime): boolean | undefined {
  const [ka, va] = splitStart(a)
  const [kb, vb] = splitStart(b)
  if (ka !== kb) return undefined
  if (ka === 'boot') return va === vb
  if (ka === 'at') return Math.abs(Number(va) - Number(vb)) <= START_TOLERANCE_MS
  return undefined
}

function splitStart(s: StartTime): [string, string] {
  const i = s.indexOf(':')
  return i < 0 ? ['', s] : [s.slice(0, i), s.slice(i + 1)]
}

/** process.kill(pid, 0): ESRCH means no such process; EPERM (another user's) and the rest mean it exists. */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** Linux's /proc, when mounted: field 22 of /proc/<pid>/stat, and zombies told apart. */
function procStart(pid: number): StartTime | null | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (e) {
    // ENOENT with /proc mounted: no such process. Without /proc: nothing can be said.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && procMounted()) return null
    return undefined
  }
  // The command name is parenthesised and may contain spaces: fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (fields[0] === 'Z' || fields[0] === 'X') return null
  return /^\d+$/.test(fields[19] ?? '') ? `boot:${fields[19]}` : undefined
}

let procChecked: boolean | undefined
function procMounted(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync('/proc/self/stat')
      procChecked = true
    } catch {
      procChecked = false
    }
  }
  return procChecked
}

/** A command's output, or undefined when it cannot run or fails; bounded in time and size. */
function output(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      timeout: 10_000,
      maxBuffer: 64 << 10,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
      windowsHide: true,
    })
  } catch {
    return undefined
  }
}

/** `ps -o lstart=`: e.g. "Wed Dec  3 09:48:12 2025" in local time (LC_ALL=C keeps it English). */
function psStart(pid: number): StartTime | undefined {
  const text = output('ps', ['-o', 'lstart=', '-p', String(pid)])?.trim()
  const ms = text ? Date.parse(text) : NaN
  return Number.isFinite(ms) ? `at:${ms}` : undefined
}

/** PowerShell's Process.StartTime, as milliseconds since the epoch. */
function windowsStart(pid: number): StartTime | undefined {
  const text = output('powershell.exe', [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    `[DateTimeOffset]::new((Get-Process -Id ${pid}).StartTime).ToUnixTimeMilliseconds()`,
  ])?.trim()
  return text && /^\d+$/.test(text) ? `at:${text}` : undefined
}

/** What this process knows of its own start without asking the OS: now minus its uptime. */
function selfAt(): StartTime {
  return `at:${Math.round(Date.now() - process.uptime() * 1000)}`
}

/** Spawning ps or PowerShell costs milliseconds to a second: answers are kept for a few seconds. */
function cached(fn: (pid: number) => StartTime | undefined): (pid: number) => StartTime | undefined {
  const memo = new Map<number, { at: number; value: StartTime | undefined }>()
  return (pid) => {
    const now = Date.now()
    const hit = memo.get(pid)
    if (hit && now - hit.at < 5_000) return hit.value
    const value = fn(pid)
    if (memo.size > 256) memo.clear()
    memo.set(pid, { at: now, value })
    return value
  }
}

/** The probe for the OS this process runs on. */
export function osProbe(platform: NodeJS.Platform = process.platform): ProcessProbe {
  if (platform === 'linux' || platform === 'android') {
    return {
      running: pidRunning,
      startTime: procStart,
      // Without /proc the clock-based form is recorded: no other process here can check it, so a
      // running pid keeps the lock, and a later process that has /proc sees an incomparable kind.
      self: () => procStart(process.pid) ?? selfAt(),
    }
  }
  const start =
    platform === 'win32'
      ? cached(windowsStart)
      : platform === 'darwin' || platform.endsWith('bsd')
        ? cached(psStart)
        : () => undefined
  return { running: pidRunning, startTime: start, self: selfAt }
}
