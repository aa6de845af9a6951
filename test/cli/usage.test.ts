// Help, version and exit statuses of the real CLI, the same for every command and subcommand:
// 0 success, 1 failure, 2 usage error, 130 interrupted.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { berth, berthNoRoot, berthSource, BUILT_CLI, ROOT } from './cli'

let dir: string
let root: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-usage-'))
  root = join(dir, 'root')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const COMMANDS = [
  'images ls',
  'images import',
  'images export',
  'images label',
  'images tag',
  'images rm',
  'images check',
  'images inspect',
  'content ls',
  'content label',
  'content get',
  'gc',
  'pull',
  'push',
  'login',
  'logout',
  'version',
]

describe('--help per command', () => {
  it.each(COMMANDS)('berth %s --help prints that command’s usage and exits 0', (path) => {
    const r = berth(root, [...path.split(' '), '--help'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: berth ${path}( |$)`))
    // The command's own help, not the top-level one listing every command.
    expect(r.stdout).not.toContain('Global flags')
  })

  it('names each flag the command takes, and the parser accepts what help names', () => {
    const r = berth(root, ['pull', '--help'])
    for (const f of ['--platform P', '--all-platforms', '--plain-http', '--insecure HOST', '--ca FILE'])
      expect(r.stdout).toContain(f)
    expect(berth(root, ['images', 'ls', '-h']).stdout).toMatch(/-q, --quiet/)
    expect(berth(root, ['help', 'images', 'tag']).stdout).toMatch(/^Usage: berth images tag SOURCE TARGET/)
  })

  it('a group with --help lists its commands; berth --help lists all', () => {
    const g = berth(root, ['images', '--help'])
    expect(g.code).toBe(0)
    expect(g.stdout).toMatch(/^Usage: berth images COMMAND/)
    expect(g.stdout).toMatch(/^ {2}inspect NAME/m)
    const top = berth(root, ['--help'])
    expect(top.stdout).toMatch(/^ {2}images import FILE/m)
    expect(top.stdout).toMatch(/^ {2}pull REF/m)
  })
})

describe('the TypeScript entry', () => {
  it('runs under tsx as the built file does (both paths stay working)', () => {
    for (const argv of [
      ['images', 'tag', '--help'],
      ['images', 'ls', '-q'],
      ['images', 'lst'],
    ]) {
      const built = berth(root, argv)
      const source = berthSource(root, argv)
      expect({ code: source.code, stdout: source.stdout, stderr: source.stderr }, argv.join(' ')).toEqual({
        code: built.code,
        stdout: built.stdout,
        stderr: built.stderr,
      })
    }
  })
})

describe('version', () => {
  it('berth --version and berth version print the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const short = berthNoRoot(['--version'])
    expect(short).toMatchObject({ code: 0, stdout: `berth ${version}\n`, stderr: '' })
    const long = berth(root, ['version'])
    expect(long.code).toBe(0)
    expect(long.stdout).toMatch(new RegExp(`^Version: +${version.replace(/\./g, '\\.')}$`, 'm'))
    expect(long.stdout).toMatch(/^Store: +.*root$/m)
    expect(JSON.parse(berth(root, ['--json', 'version']).stdout).version).toBe(version)
  })
})

describe('exit statuses', () => {
  it.each([
    [['images', 'lst'], /images: unknown command "lst" \(did you mean ls\?\)/],
    [['images', 'help'], /images: unknown command "help"/],
    [['content', 'rmm'], /content: unknown command "rmm"/],
    [['nonsense'], /unknown command "nonsense"/],
    [['images', 'ls', '--bogus'], /images ls: unknown flag --bogus/],
    [['images', 'inspect'], /images inspect: give exactly one image NAME/],
    [['images', 'inspect', 'a', 'b'], /images inspect: give exactly one image NAME/],
    [['images', 'tag', 'only-source'], /images tag: give the SOURCE image and at least one TARGET/],
    [['images', 'rm'], /images rm: name at least one image/],
    [['images', 'label'], /images label: name the image to label/],
    [['images', 'export', 'out.tar'], /images export: give the output FILE/],
    [['content', 'get'], /content get: give exactly one blob DIGEST/],
    [['gc', 'extra'], /gc: takes no arguments/],
    [['pull'], /pull: give exactly one reference/],
    [['push'], /push: give an image name/],
    [['login'], /login: give exactly one registry host/],
    [['logout', 'a', 'b'], /logout: give exactly one registry host/],
    [['images', 'import', '--platform'], /--platform needs a value/],
    [['--root'], /--root needs a value/],
    [['--bogus', 'images', 'ls'], /unknown global flag --bogus/],
    [['images', 'import', '--platform', 'linux/*', 'x.tar'], /images import: --platform "linux\/\*": /],
    [
      ['images', 'export', '--platform', 'a/b/c/d', 'x.tar', 'app:1'],
      /images export: --platform "a\/b\/c\/d": /,
    ],
    [['images', 'inspect', '--platform', 'bad os', 'app:1'], /images inspect: --platform "bad os": /],
    [['pull', '--platform', 'linux/', 'x:1'], /pull: --platform "linux\/": /],
  ])('%j is a usage error: one line, exit 2', (argv, message) => {
    const r = berth(root, argv)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('a command of Berth’s store with a containerd address: the flag, or $CONTAINERD_ADDRESS, named', () => {
    const flag = berth(root, ['--address', '/run/x.sock', 'gc'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/^berth: gc works on Berth's store: --address applies to the image commands/)
    // A ctr user may have it in the environment, not on the line: say where it came from and what to do.
    const env = berth(root, ['images', 'import', 'x.tar'], { CONTAINERD_ADDRESS: '/run/x.sock' })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(
      /^berth: images import works on Berth's store, and \$CONTAINERD_ADDRESS is set \(\/run\/x\.sock\): unset it for this command/,
    )
    expect(env.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('a command or group missing its subcommand is a usage error that shows the help on stderr', () => {
    for (const argv of [[], ['images'], ['content']]) {
      const r = berth(root, argv)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^Usage: berth /m)
    }
  })

  it('failures exit 1 with one line', () => {
    for (const argv of [
      ['images', 'inspect', 'docker.io/library/absent:1'],
      ['images', 'label', 'absent:1', 'a=b'],
      ['content', 'get', `sha256:${'0'.repeat(64)}`],
      ['images', 'ls', 'name=='],
    ]) {
      const r = berth(root, argv)
      expect(r.code, argv.join(' ')).toBe(1)
      expect(r.stderr).toMatch(/^berth: /)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    }
  })

  it('success exits 0', () => {
    expect(berth(root, ['images', 'ls']).code).toBe(0)
    expect(berth(root, ['gc', '--dry-run']).code).toBe(0)
  })

  it('Ctrl-C exits 130 and leaves the store as it was', async () => {
    // An import from stdin that never ends: the CLI waits for bytes until interrupted.
    const p = spawn(process.execPath, [BUILT_CLI, '--root', root, 'images', 'import', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let err = ''
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    p.stdin.write(Buffer.alloc(4096))
    // Interrupt once the import is running: its progress line shows it has read the bytes.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (err.includes('importing')) {
          clearInterval(t)
          resolve()
        }
      }, 20)
    })
    p.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => p.on('close', resolve))
    expect(code).toBe(130)
    expect(berth(root, ['images', 'ls', '-q']).stdout).toBe('')
    expect(berth(root, ['--json', 'gc', '--dry-run']).stdout).toMatch(/"blobsDeleted": 0/)
  })
})
