// The entry main forks as a utility process for `--berth-cli` (this runs in that process, not in main):
// it gives the process a stdin fed by main, then runs the CLI bundle (out/main/cli.js, the CLI's own
// build entry) with the arguments main passed. The path is computed at run time: the CLI is its own
// bundle, never part of this one or of main's.
import { join } from 'node:path'
import { runCliChild, type Port } from './cli-stdin'

const port = (process as { parentPort?: Port }).parentPort
if (port) runCliChild(port, join(__dirname, 'cli.js'))
else throw new Error('cli-child runs only as the utility process of `Berth --berth-cli`')
