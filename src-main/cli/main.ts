// `berth` — the command line over the same store as the app:
//   npm run -s berth -- [--root DIR] [-n NAMESPACE] [--json] COMMAND ...
// Errors print one line naming the problem and exit non-zero (2 for usage errors, 1 otherwise).
import { isBerthError } from '../core/errors'
import { openBerth, resolveRoot, type Berth } from '../service/berth'
import { parseGlobal } from './args'
import { CONTENT_HELP, contentCommand } from './content'
import { GC_HELP, gcCommand } from './gc'
import { IMAGES_HELP, imagesCommand } from './images'
import type { CommandContext } from './io'
import { REGISTRY_HELP, registryCommand } from './registry'

const HELP = `berth — container images on your machine, the containerd way

Usage: berth [--root DIR] [-n NAMESPACE] [--json] COMMAND ...

Global flags:
  --root DIR        store directory (default: $BERTH_ROOT, else the Berth app's own: ~/.config/Berth on Linux)
  -n, --namespace   namespace (default: $BERTH_NAMESPACE, $CONTAINERD_NAMESPACE, else "default")
  --json            machine-readable output

Commands:
  images (i)        ls, import, export, label, tag, rm, check, inspect
  content           ls, label, get
  gc                garbage collection
  pull, push        images from and to OCI registries
  login, logout     registry credentials

${IMAGES_HELP}
${CONTENT_HELP}
${GC_HELP}
${REGISTRY_HELP}`

export async function run(
  argv: string[],
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
): Promise<number> {
  let berth: Berth | undefined
  const ac = new AbortController()
  const onSignal = () => ac.abort()
  process.once('SIGINT', onSignal)
  try {
    const g = parseGlobal(argv)
    const [cmd, ...rest] = g.rest
    const ctx: CommandContext = {
      berth: () => (berth ??= openBerth({ root: resolveRoot(g.root) })),
      namespace: g.namespace,
      json: g.json,
      out: (s) => void io.stdout.write(s),
      err: (s) => void io.stderr.write(s),
      stdout: io.stdout,
      stderr: io.stderr,
      signal: ac.signal,
    }
    if (g.help || cmd === undefined || cmd === 'help') {
      io.stdout.write(
        cmd === 'images' ? IMAGES_HELP : cmd === 'content' ? CONTENT_HELP : cmd === 'gc' ? GC_HELP : HELP,
      )
      return 0
    }
    switch (cmd) {
      case 'images':
      case 'image':
      case 'i':
        await imagesCommand(ctx, rest)
        break
      case 'content':
        await contentCommand(ctx, rest)
        break
      case 'gc':
        await gcCommand(ctx, rest)
        break
      default:
        if (await registryCommand(ctx, cmd, rest)) break
        io.stderr.write(`berth: unknown command ${JSON.stringify(cmd)} (see berth --help)\n`)
        return 2
    }
    return ctx.exitCode ?? 0
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    const kind = isBerthError(e) ? e.kind : 'internal'
    io.stderr.write(`berth: ${msg.split('\n')[0]}\n`)
    if (process.env.BERTH_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`)
    return kind === 'invalid-argument' &&
      /unknown (global )?flag|needs a value|takes no value|give |name at least/.test(msg)
      ? 2
      : 1
  } finally {
    process.off('SIGINT', onSignal)
    berth?.close()
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (e) => {
      process.stderr.write(`berth: ${(e as Error).message}\n`)
      process.exitCode = 1
    },
  )
}
