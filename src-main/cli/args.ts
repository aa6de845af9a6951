// A small flag parser for `berth`: global flags before the command, the command's own flags anywhere
// after it, `--flag value`, `--flag=value`, single-letter aliases, and `--` to end flags. Every mistake
// is a UsageError (exit 2) naming the flag and the command.
import type { Platform } from '../core/oci'
import { parse as parsePlatform } from '../core/platforms'
import { usage } from './usage'

/** One flag of a command: parsed from this and shown in the command's --help. */
export interface FlagDef {
  /** Long name, without the dashes. */
  name: string
  /** A single-letter (or other) alias, without the dash. */
  alias?: string
  /** The value's placeholder (FILE, P, N…) when the flag takes a value; absent for a boolean flag. */
  value?: string
  help: string
}

export interface Parsed {
  flags: Map<string, string[]>
  args: string[]
}

export function parseFlags(argv: string[], defs: readonly FlagDef[], command: string): Parsed {
  const flags = new Map<string, string[]>()
  const args: string[] = []
  const byName = new Map<string, FlagDef>()
  for (const d of defs) {
    byName.set(d.name, d)
    if (d.alias) byName.set(d.alias, d)
  }
  const set = (k: string, v: string) => flags.set(k, [...(flags.get(k) ?? []), v])
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      args.push(...argv.slice(i + 1))
      break
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const written = eq >= 0 ? a.slice(0, eq) : a
    const def = byName.get(written.replace(/^--?/, ''))
    if (!def) throw usage(`${command}: unknown flag ${written}`, command)
    if (def.value === undefined) {
      const v = eq >= 0 ? a.slice(eq + 1) : 'true'
      if (v !== 'true' && v !== 'false')
        throw usage(`${command}: --${def.name} takes no value (or =true/=false)`, command)
      set(def.name, v)
    } else {
      const v: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined) throw usage(`${command}: --${def.name} needs a value (${def.value})`, command)
      set(def.name, v)
    }
  }
  return { flags, args }
}

export const flag = (p: Parsed, name: string): boolean => (p.flags.get(name) ?? []).at(-1) === 'true'
export const str = (p: Parsed, name: string): string | undefined => (p.flags.get(name) ?? []).at(-1)
export const strs = (p: Parsed, name: string): string[] => p.flags.get(name) ?? []

/**
 * A flag holding a count or a byte size, checked here so the error names the flag; what range makes
 * sense (0 = no limit, or refused) is the command's own rule.
 */
export function wholeNumber(p: Parsed, name: string, command: string): number | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw usage(
      `${command}: --${name} needs a value that is a whole number, not ${JSON.stringify(v)}`,
      command,
    )
  return n
}

/** A --platform value; one that does not parse is a usage error naming the flag. */
export function platformFlag(value: string, command: string): Platform {
  try {
    return parsePlatform(value)
  } catch (e) {
    throw usage(`${command}: --platform ${JSON.stringify(value)}: ${(e as Error).message}`, command)
  }
}

/** The positional arguments, checked against what the command takes. */
export function positional(p: Parsed, command: string, min: number, max: number, what: string): string[] {
  if (p.args.length < min || p.args.length > max) throw usage(`${command}: ${what}`, command)
  return p.args
}

export interface Global {
  root?: string
  /** A containerd socket (-a/--address, $CONTAINERD_ADDRESS, as ctr takes it): image commands act on it. */
  address?: string
  /** Where `address` came from: a ctr user may have $CONTAINERD_ADDRESS set without thinking of it. */
  addressFrom?: 'flag' | 'env'
  namespace: string
  json: boolean
  help: boolean
  version: boolean
  rest: string[]
}

/**
 * Global flags come before the command: --root DIR, -a/--address SOCKET, -n/--namespace NS, --json,
 * --help, --version.
 * --json and --help are also taken after the command (as users type them), up to a `--`.
 */
export function parseGlobal(argv: string[], env: NodeJS.ProcessEnv = process.env): Global {
  const g: Global = {
    namespace: env.BERTH_NAMESPACE || env.CONTAINERD_NAMESPACE || 'default',
    ...(env.CONTAINERD_ADDRESS ? { address: env.CONTAINERD_ADDRESS, addressFrom: 'env' as const } : {}),
    json: false,
    help: false,
    version: false,
    rest: [],
  }
  let i = 0
  for (; i < argv.length; i++) {
    const a = argv[i]
    const eq = a.indexOf('=')
    const name = eq >= 0 ? a.slice(0, eq) : a
    const value = () => {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined) throw usage(`${name} needs a value`)
      return v
    }
    if (name === '--root') g.root = value()
    else if (name === '-a' || name === '--address') {
      g.address = value()
      g.addressFrom = 'flag'
    } else if (name === '-n' || name === '--namespace') g.namespace = value()
    else if (name === '--json') g.json = true
    else if (name === '-h' || name === '--help') g.help = true
    else if (name === '-v' || name === '--version') g.version = true
    else if (a.startsWith('-')) throw usage(`unknown global flag ${name}`)
    else break
  }
  const rest = argv.slice(i)
  const end = rest.indexOf('--')
  const head = end < 0 ? rest : rest.slice(0, end)
  const tail = end < 0 ? [] : rest.slice(end)
  g.rest = [
    ...head.filter((a) => {
      if (a === '--json') g.json = true
      else if (a === '--help' || a === '-h') g.help = true
      else return true
      return false
    }),
    ...tail,
  ]
  return g
}
