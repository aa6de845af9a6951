// A stand-in for the CLI bundle: hashes its stdin and reports it with its arguments; exits 3.
const { createHash } = process.getBuiltinModule('node:crypto')
const h = createHash('sha256')
let n = 0
process.stdin.on('data', (c) => {
  h.update(c)
  n += c.length
})
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify({ sha256: h.digest('hex'), bytes: n, args: process.argv.slice(2) }))
  process.exitCode = 3
})
