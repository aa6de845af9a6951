// A small flag parser for `berth`: global flags before the command, per-command flags anywhere after
// it, `--flag value`, `--flag=value`, single-letter aliases, and `--` to end flags.
import { invalidArgument } from '../core/errors'

export interface FlagSpec {
  /** Boolean flags by long name. */
  bools?: string[]
  /** Flags taking a value by long name; repeated ones collect into a list. */
  strings?: string[]
  /** Single-letter (or other) aliases to long names. */
  aliases?: Record<string, string>
}

export interface Parsed {
  flags: Map<string, string[]>
  args: string[]
}

export function parseFlags(argv: string[], spec: FlagSpec, command: string): Parsed {
  const flags = new Map<string, string[]>()
  const args: string[] = []
  const bools = new Set(spec.bools ?? [])
  const strings = new Set(spec.strings ?? [])
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
    let name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, '')
    name = spec.aliases?.[name] ?? name
    if (bools.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : 'true'
      if (v !== 'true' && v !== 'false')
        throw invalidArgument(`${command}: --${name} takes no value (or =true/=false)`)
      set(name, v)
    } else if (strings.has(name)) {
      const v: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined) throw invalidArgument(`${command}: --${name} needs a value`)
      set(name, v)
    } else {
      throw invalidArgument(
        `${command}: unknown flag ${a.slice(0, eq >= 0 ? eq : undefined)} (see berth ${command} --help)`,
      )
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
    throw invalidArgument(
      `${command}: --${name} needs a value that is a whole number, not ${JSON.stringify(v)}`,
    )
  return n
}

export interface Global {
  root?: string
  namespace: string
  json: boolean
  help: boolean
  rest: string[]
}

/** Global flags come before the command: --root DIR, -n/--namespace NS, --json, --help. */
export function parseGlobal(argv: string[], env: NodeJS.ProcessEnv = process.env): Global {
  const g: Global = {
    namespace: env.BERTH_NAMESPACE || env.CONTAINERD_NAMESPACE || 'default',
    json: false,
    help: false,
    rest: [],
  }
  let i = 0
  for (; i < argv.length; i++) {
    const a = argv[i]
    const eq = a.indexOf('=')
    const name = eq >= 0 ? a.slice(0, eq) : a
    const value = () => {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined) throw invalidArgument(`${name} needs a value`)
      return v
    }
    if (name === '--root') g.root = value()
    else if (name === '-n' || name === '--namespace') g.namespace = value()
    else if (name === '--json') g.json = true
    else if (name === '-h' || name === '--help') g.help = true
    else if (a.startsWith('-')) throw invalidArgument(`unknown global flag ${name} (see berth --help)`)
    else break
  }
  g.rest = argv.slice(i)
  // --json may also follow the command, as users type it.
  const j = g.rest.indexOf('--json')
  if (j >= 0) {
    g.json = true
    g.rest.splice(j, 1)
  }
  const h = g.rest.findIndex((a) => a === '--help' || a === '-h')
  if (h >= 0) {
    g.help = true
    g.rest.splice(h, 1)
  }
  return g
}
