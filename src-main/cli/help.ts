// `--help` for berth, for a group (images, content) and for each command, built from the command table
// so that what help says is what the parser accepts.
import type { FlagDef } from './args'
import { isGroup, TOP, type CommandSpec, type Entry, type GroupSpec } from './commands'
import { columns } from './table'

const TITLE = 'berth — container images on your machine, the containerd way'

const GLOBAL_FLAGS: FlagDef[] = [
  { name: 'root', value: 'DIR', help: "the store (default: $BERTH_ROOT, else the Berth app's own)" },
  {
    name: 'address',
    alias: 'a',
    value: 'SOCKET',
    help: 'a containerd socket, as ctr takes it (default: $CONTAINERD_ADDRESS): images ls, label, tag, rm, check and inspect act on that daemon',
  },
  {
    name: 'namespace',
    alias: 'n',
    value: 'NS',
    help: 'namespace (default: $BERTH_NAMESPACE, $CONTAINERD_NAMESPACE, else "default")',
  },
  { name: 'json', help: 'machine-readable output (also after the command)' },
  { name: 'help', alias: 'h', help: 'help for berth, or for the command it follows' },
  { name: 'version', alias: 'v', help: "print Berth's version" },
]

const flagName = (f: FlagDef): string =>
  `${f.alias ? `-${f.alias}, ` : ''}--${f.name}${f.value ? ` ${f.value}` : ''}`

function flagLines(flags: readonly FlagDef[]): string {
  return columns(flags.map((f) => [`  ${flagName(f)}`, f.help]))
}

function commandLines(prefix: string, entries: readonly (Entry | CommandSpec)[]): string[][] {
  const rows: string[][] = []
  for (const e of entries) {
    if (isGroup(e)) rows.push(...commandLines(`${prefix}${e.name} `, e.commands))
    else rows.push([`  ${prefix}${e.name}${e.args ? ` ${e.args}` : ''}`, e.summary])
  }
  return rows
}

export function topHelp(): string {
  return `${TITLE}

Usage: berth [--root DIR] [-a SOCKET] [-n NS] [--json] COMMAND ...

Commands:
${columns(commandLines('', TOP))}
Global flags:
${flagLines(GLOBAL_FLAGS)}
Run 'berth COMMAND --help' (or 'berth help COMMAND') for a command's own flags.
Exit status: 0 success, 1 failure, 2 usage error, 130 interrupted.
`
}

export function groupHelp(g: GroupSpec): string {
  return `Usage: berth ${g.name} COMMAND ...

${g.summary}${g.aliases?.length ? ` (also: berth ${g.aliases.join(', ')})` : ''}

Commands:
${columns(commandLines('', g.commands))}
Run 'berth ${g.name} COMMAND --help' for a command's flags.
`
}

export function commandHelp(path: string, c: CommandSpec): string {
  const aliases = c.aliases?.length ? `\nAliases: ${c.aliases.join(', ')}\n` : ''
  return `Usage: berth ${path}${c.args ? ` ${c.args}` : ''}

${c.summary}
${aliases}${c.flags.length ? `\nFlags:\n${flagLines(c.flags)}` : ''}${c.details ? `\n${c.details}\n` : ''}`
}
