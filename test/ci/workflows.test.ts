// The GitHub workflows cannot run here, so they are linted: every file parses as YAML (no duplicate keys,
// no warnings), has the shape GitHub Actions needs, and says what this project relies on — the three
// systems, .ci/run on Linux, the repository's own Node bootstrap, scripts and files that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'

const ROOT = join(__dirname, '..', '..')
const DIR = join(ROOT, '.github', 'workflows')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>
}

type Step = { name?: string; uses?: string; run?: string; shell?: string; if?: string; with?: unknown }
type Job = {
  'runs-on': string
  needs?: string | string[]
  steps: Step[]
  strategy?: { matrix?: Record<string, unknown> }
  container?: { image: string }
}
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, Job> }

function load(file: string): Workflow {
  const doc = parseDocument(readFileSync(join(DIR, file), 'utf8'), { uniqueKeys: true, prettyErrors: true })
  expect(doc.errors.map(String), `${file} parses`).toEqual([])
  expect(doc.warnings.map(String), `${file} has no YAML warnings`).toEqual([])
  return doc.toJS() as Workflow
}

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)) : []
const runText = (w: Workflow) =>
  Object.values(w.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ''))
    .join('\n')

describe('GitHub workflows', () => {
  it('ci.yml and release.yml are there', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml'])
  })

  describe.each(files)('%s', (file) => {
    let loaded: Workflow | undefined
    const wf = () => (loaded ??= load(file))

    it('parses as YAML without duplicate keys or warnings', () => {
      wf()
    })

    it('has a name, triggers and jobs, each with runs-on and steps that use or run one thing', () => {
      const w = wf()
      expect(typeof w.name).toBe('string')
      expect(w.on && typeof w.on).toBe('object')
      expect(Object.keys(w.jobs).length).toBeGreaterThan(0)
      for (const [id, job] of Object.entries(w.jobs)) {
        expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/)
        expect(typeof job['runs-on'], `${id}: runs-on`).toBe('string')
        expect(Array.isArray(job.steps) && job.steps.length > 0, `${id}: steps`).toBe(true)
        for (const need of [job.needs ?? []].flat())
          expect(Object.keys(w.jobs), `${id} needs`).toContain(need)
        for (const step of job.steps) {
          expect(
            'uses' in step !== 'run' in step,
            `${id}: a step has uses or run: ${JSON.stringify(step)}`,
          ).toBe(true)
          if (step.uses) expect(step.uses, `${id}: actions are pinned`).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/)
          if (step.shell) expect(['bash', 'cmd', 'pwsh', 'sh']).toContain(step.shell)
        }
      }
    })

    it('runs only npm scripts that package.json has, and files that exist in the repository', () => {
      const text = runText(wf())
      for (const [, script] of text.matchAll(/npm run(?: -s)? ([\w:-]+)/g)) {
        expect(Object.keys(pkg.scripts), `npm run ${script}`).toContain(script)
      }
      for (const [path] of text.matchAll(/(?:\.ci\/run|scripts[/\\]node\.(?:sh|cmd)|test\/[\w/.-]+\.ts)/g)) {
        expect(existsSync(join(ROOT, path.replace(/\\/g, '/'))), `${file} runs ${path}`).toBe(true)
      }
      // Nothing outside the repository: a clone is all a runner has.
      expect(text).not.toMatch(/\.\.\/shared|ensure-node/)
    })
  })

  it('ci.yml: pushes and pull requests; Linux runs .ci/run on Debian; macOS and Windows bootstrap as users do', () => {
    const w = load('ci.yml')
    expect(Object.keys(w.on).sort()).toEqual(['pull_request', 'push'])
    const oses = Object.values(w.jobs).map((j) => j['runs-on'])
    expect(oses.sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest'])
    const linux = Object.values(w.jobs).find((j) => j['runs-on'] === 'ubuntu-latest')!
    expect(linux.container?.image).toMatch(/^debian:12/)
    expect(linux.steps.map((s) => s.run ?? '').join('\n')).toMatch(/^\.ci\/run$/m)
    for (const os of ['macos-latest', 'windows-latest']) {
      const job = Object.values(w.jobs).find((j) => j['runs-on'] === os)!
      const text = job.steps.map((s) => s.run ?? '').join('\n')
      expect(text).toMatch(os === 'windows-latest' ? /call scripts\\node\.cmd/ : /\. scripts\/node\.sh/)
      for (const want of ['npm ci', 'npm run -s typecheck', 'npm run -s lint', 'npm run -s layering']) {
        expect(text, `${os} runs ${want}`).toContain(want)
      }
      expect(text).toMatch(/npx vitest run --project node/)
    }
  })

  it('.ci/run uses the same bootstrap, and runs the README test command', () => {
    const run = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
    expect(run).toMatch(/^\. scripts\/node\.sh$/m)
    expect(run).not.toMatch(/\.\.\/shared|ensure-node/)
    expect(run).toMatch(/npm ci/)
    expect(run).toMatch(/npm test/)
  })

  it('release.yml: a version tag builds AppImage+deb, dmg and NSIS and tests the packaged app on each', () => {
    const w = load('release.yml')
    expect(w.on).toEqual({ push: { tags: ['v*'] } })
    const installers = Object.values(w.jobs).find((j) => j.strategy?.matrix)!
    const include = installers.strategy!.matrix!.include as { os: string; app: string }[]
    expect(include.map((i) => i.os).sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest'])
    const text = installers.steps.map((s) => s.run ?? '').join('\n')
    expect(text).toContain('npm run dist')
    expect(text).toContain('npx vitest run test/e2e/electron.e2e.test.ts')
    expect(JSON.stringify(installers)).toContain('BERTH_E2E_APP')
    const builder = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')
    for (const target of ['AppImage', 'deb', 'dmg', 'nsis']) expect(builder).toContain(target)
  })
})
