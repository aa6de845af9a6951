// The store host's entry: plain Node, started by Electron main with utilityProcess.fork, and by tests,
// the e2e bridge and benchmarks with child_process.fork. It owns the database, the content store, the
// jobs and the watcher; its parent brokers the contract to it (src-main/host/client.ts).
import { parentPort } from './port'
import { serveHost } from './serve'

serveHost(parentPort())
