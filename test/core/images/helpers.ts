// Shared fixtures for the image store tests: a real SQLite file in a temp dir, a controllable clock.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { openDatabase, type Database } from '../../../src-main/core/db'
import { isKind, type BerthError, type ErrorKind } from '../../../src-main/core/errors'
import { digestOf } from '../../../src-main/core/digest'
import { ImageStore, type Image, type ImageEvent, type ImageInput } from '../../../src-main/core/images/store'

export interface Env {
  db: Database
  store: ImageStore
  dir: string
  clock: Clock
  events: ImageEvent[]
  close(): void
}

export class Clock {
  constructor(public ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6)) {}
  now = (): Date => new Date(this.ms)
  tick(ms = 1): void {
    this.ms += ms
  }
}

/** A store over a fresh SQLite file (or ':memory:'), with an injected clock and an event log. */
export function openEnv(file: 'file' | 'memory' = 'file'): Env {
  const dir = mkdtempSync(join(tmpdir(), 'berth-images-'))
  const db = openDatabase(file === 'file' ? join(dir, 'berth.db') : ':memory:')
  const clock = new Clock()
  const events: ImageEvent[] = []
  const store = new ImageStore(db, { now: clock.now, onEvent: (e) => events.push(e), gc: { root: dir } })
  return {
    db,
    store,
    dir,
    clock,
    events,
    close() {
      if (this.db.open) this.db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const dgst = (s: string | number): string => digestOf(String(s))

export function image(name: string, over: Partial<ImageInput> = {}): ImageInput {
  return {
    name,
    labels: {},
    target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: dgst(name), size: 10 },
    ...over,
  }
}

/** Runs fn, which must fail with a BerthError of `kind` (and a message matching `message`). */
export function fails(fn: () => unknown, kind: ErrorKind, message?: string | RegExp): BerthError {
  let err: unknown
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err, 'expected a failure').toBeDefined()
  expect(isKind(err, kind), `${String(err)} should be ${kind}`).toBe(true)
  if (message !== undefined) expect((err as Error).message).toMatch(message)
  return err as BerthError
}

export const stripTimes = (i: Image) => ({ name: i.name, labels: i.labels, target: i.target })
