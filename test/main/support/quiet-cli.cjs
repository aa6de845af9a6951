// A stand-in for a CLI command that never reads stdin (berth images ls): it must still exit.
process.stdout.write(JSON.stringify({ args: process.argv.slice(2) }))
process.exitCode = 0
