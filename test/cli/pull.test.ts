// Pull and push through the real CLI against a real registry: a tag the registry lacks is named as
// name:tag, and push takes the local image by its short name.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ociArchive, singlePlatformImage } from '../fixtures/images'
import { hasRegistry, startRegistry, tempDir, type RunningRegistry } from '../registry/support/registry'
import { berth } from './cli'

const app = singlePlatformImage({ name: 'docker.io/library/app:1', seed: 'cli-pull' })

describe.skipIf(!hasRegistry())('berth pull and push by the names users type', () => {
  let reg: RunningRegistry
  let tmp: { dir: string; remove: () => void }
  const root = () => join(tmp.dir, 'root')
  beforeAll(async () => {
    tmp = tempDir('berth-cli-pull-')
    reg = await startRegistry()
    writeFileSync(join(tmp.dir, 'app.tar'), ociArchive([app]))
    expect(berth(root(), ['images', 'import', join(tmp.dir, 'app.tar')]).code).toBe(0)
  })
  afterAll(async () => {
    await reg?.stop()
    tmp?.remove()
  })

  it('push takes the local image by its short name', () => {
    const r = berth(root(), ['push', '--no-progress', 'app:1', `${reg.host}/team/app:1`])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${reg.host}/team/app:1 ${app.target.digest} `))
  })

  it('a missing tag reads name:tag', () => {
    const r = berth(root(), ['pull', '--no-progress', `${reg.host}/team/app:nope`])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${reg.host}/team/app:nope`)
    expect(r.stderr).not.toContain('@nope')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })
})
