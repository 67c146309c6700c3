// The shape both directions share: pull items from a source as far ahead as a byte budget
// allows, start the work on each at once (the pool spreads it over the threads), and hand the
// results out in source order. A result's bytes go back to the budget when the consumer asks for
// the next one, so a slow consumer stops the reading: backpressure, and memory bounded by the
// budget rather than by the file.
import { ByteBudget } from './byte-budget.ts'

export interface OrderedOptions<R> {
  /** Bytes that may be in flight: read and not yet passed on by the consumer. */
  bufferSize: number
  /** Bytes item `index` will hold while in flight, claimed before it is pulled from the source. */
  cost: (index: number) => number
  /** Called with results that were made but never handed out (the consumer stopped or failed). */
  discard?: (result: R) => void
  signal?: AbortSignal
}

interface Done<R> {
  value: R
  cost: number
}

export async function* ordered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  work: (item: T, index: number) => Promise<R>,
  options: OrderedOptions<R>
): AsyncGenerator<R, void, undefined> {
  const { cost, discard, signal } = options
  const budget = new ByteBudget(options.bufferSize)
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  const results: Promise<Done<R>>[] = []
  let pumping = true
  let stopped = false
  let wake: (() => void) | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }

  const pump = async (): Promise<void> => {
    try {
      for (let index = 0; !stopped; index++) {
        const bytes = cost(index)
        await budget.take(bytes)
        const next = stopped ? { done: true as const, value: undefined } : await iterator.next()
        if (next.done === true || stopped) {
          budget.give(bytes)
          return
        }
        const done = work(next.value, index).then((value) => ({ value, cost: bytes }))
        done.catch(() => {}) // observed when the consumer reaches it
        results.push(done)
        notify()
      }
    } catch (e) {
      results.push(Promise.reject(e))
      results.at(-1)!.catch(() => {})
    } finally {
      pumping = false
      notify()
    }
  }

  const onAbort = (): void => notify()
  signal?.addEventListener('abort', onAbort)
  const pumped = pump()
  try {
    for (;;) {
      signal?.throwIfAborted()
      const head = results.shift()
      if (head === undefined) {
        if (!pumping) break
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      const done = await head
      yield done.value
      budget.give(done.cost)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    stopped = true
    budget.give(Number.MAX_SAFE_INTEGER) // a pump waiting for room wakes up and sees `stopped`
    // The source is closed once the pump lets go of it; not awaited, as a stalled source (a peer
    // that never answers) must not hold up the consumer that stopped listening.
    void pumped.then(() => iterator.return?.()).catch(() => {})
    for (const r of await Promise.allSettled(results.splice(0))) {
      if (r.status === 'fulfilled') discard?.(r.value.value)
    }
  }
}
