// Noticing writes by other processes (the berth CLI on the same store). SQLite's PRAGMA data_version
// changes on a connection whenever another connection commits, so polling it on a dedicated connection
// costs one tiny query per tick and sees every commit, ours included (which keeps the UI honest after
// its own writes, too).
import BetterSqlite3 from 'better-sqlite3'

export interface Watcher {
  stop(): void
}

export function watchDataVersion(file: string, onChange: () => void, intervalMs = 250): Watcher {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  const version = db.prepare('PRAGMA data_version').pluck()
  let last = version.get() as number
  const timer = setInterval(() => {
    try {
      const v = version.get() as number
      if (v !== last) {
        last = v
        onChange()
      }
    } catch {
      // A busy or briefly locked database: try again next tick.
    }
  }, intervalMs)
  timer.unref?.()
  return {
    stop() {
      clearInterval(timer)
      db.close()
    },
  }
}
