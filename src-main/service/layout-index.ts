// While the app runs, the store's index.json follows the image records a moment after they change
// (from the app or the CLI), so `skopeo inspect oci:<store>:<name>` sees what the UI shows.
import { syncLayoutIndex } from '../core/content/layout-index'
import type { Berth } from './berth'

export interface LayoutIndexKeeper {
  /** Something was written: refresh index.json once writes have been quiet for `quietMs`. */
  poke(): void
  stop(): void
}

export function keepLayoutIndex(berth: Pick<Berth, 'db' | 'storeRoot'>, quietMs = 2000): LayoutIndexKeeper {
  let timer: NodeJS.Timeout | undefined
  return {
    poke() {
      clearTimeout(timer)
      timer = setTimeout(() => {
        try {
          syncLayoutIndex(berth.db, berth.storeRoot)
        } catch {
          // A projection only; the next change or the app's exit writes it again.
        }
      }, quietMs)
      timer.unref?.()
    },
    stop() {
      clearTimeout(timer)
    },
  }
}
