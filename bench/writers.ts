// Concurrent writers on one store (issue 11.4): the app's service and four `berth` CLI processes
// labelling, tagging, removing and importing for 30 s, against one CLI process alone for the same time
// (the reference, measured in this run). Prints commands per second and their ratio, and fails if any
// command failed or any update was lost.
// Run: npx tsx bench/writers.ts [seconds]  (or npm run bench -- writers)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lostUpdates, runWriters, type WritersRun } from '../test/concurrency/writers'

const seconds = Number(process.argv[2] ?? 30)

function rate(r: WritersRun): number {
  return r.cli.reduce((n, l) => n + l.commands, 0) / seconds
}

function problems(r: WritersRun): string[] {
  return [...r.childErrors, ...r.cli.flatMap((l) => l.failures), ...r.app.failures, ...lostUpdates(r)]
}

async function main(): Promise<void> {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'berth-bench-writers-')),
    mkdtempSync(join(tmpdir(), 'berth-bench-writers-')),
  ]
  try {
    const alone = await runWriters(dirs[0], seconds * 1000, { cli: 1, app: false })
    const all = await runWriters(dirs[1], seconds * 1000)
    const bad = [...problems(alone), ...problems(all)]
    console.log(`one CLI process alone:            ${rate(alone).toFixed(1)} commands/s (reference)`)
    console.log(
      `four CLI processes and the app:   ${rate(all).toFixed(1)} CLI commands/s, ` +
        `${(all.app.operations / seconds).toFixed(1)} app calls/s, ${all.app.conflicts} label conflicts`,
    )
    console.log(`ratio all CLI commands / alone:   ${(rate(all) / rate(alone)).toFixed(2)}x`)
    console.log(`failed commands and lost updates: ${bad.length}`)
    for (const b of bad.slice(0, 20)) console.log(`  ${b}`)
    if (bad.length > 0) process.exitCode = 1
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

void main()
