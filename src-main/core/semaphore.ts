// A counting semaphore for bounded concurrency (containerd's dispatch limit, push's uploads): permits
// are handed out in the order they were asked for, and a wait ends early when its signal aborts.

export class Semaphore {
  private free: number
  private readonly waiters: { grant: () => void }[] = []

  /** size: a whole number of at least 1 (a semaphore of 0 would wait forever). */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a semaphore needs at least one permit, not ${size}`)
    this.free = size
  }

  /** Resolves once a permit is this caller's; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.free > 0 && this.waiters.length === 0) {
      this.free--
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** Gives a permit back: to the longest waiter if there is one. */
  release(): void {
    const next = this.waiters.shift()
    if (next) next.grant()
    else this.free++
  }

  /** Runs fn holding a permit, released however fn ends. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal)
    try {
      return await fn()
    } finally {
      this.release()
    }
  }
}
