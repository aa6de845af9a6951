// A docker credential helper for tests: a script speaking the helper protocol (get, store, erase, list)
// over a JSON file instead of the OS keychain, recording every argv it was given.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** docker-credential-<name>: the helper protocol over a JSON file; it also records every argv it got. */
export function fakeHelper(bin: string, name: string, keychain: string): void {
  mkdirSync(bin, { recursive: true })
  const file = join(bin, `docker-credential-${name}`)
  writeFileSync(
    file,
    `#!${process.execPath}
const fs = require('node:fs')
const file = ${JSON.stringify(keychain)}
const db = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { entries: {}, argv: [] }
db.argv.push(process.argv.slice(2))
let input = ''
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', () => {
  const action = process.argv[2]
  const save = () => fs.writeFileSync(file, JSON.stringify(db))
  if (action === 'store') {
    const c = JSON.parse(input)
    db.entries[c.ServerURL] = { Username: c.Username, Secret: c.Secret }
    save()
  } else if (action === 'get') {
    save()
    const e = db.entries[input.trim()]
    if (!e) { process.stdout.write('credentials not found in native keychain'); process.exit(1) }
    process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...e }))
  } else if (action === 'erase') {
    const had = input.trim() in db.entries
    delete db.entries[input.trim()]
    save()
    if (!had) { process.stdout.write('credentials not found in native keychain'); process.exit(1) }
  } else if (action === 'list') {
    save()
    const out = {}
    for (const [k, v] of Object.entries(db.entries)) out[k] = v.Username
    process.stdout.write(JSON.stringify(out))
  } else process.exit(2)
})
`,
  )
  chmodSync(file, 0o755)
}
