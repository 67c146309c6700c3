// What a transfer of one file version through the slice pool needs, in either direction.
import type { BufferPool } from './buffer-pool.ts'
import type { Layout, SliceCoding } from './layout.ts'
import { ordered } from './ordered.ts'
import { type SliceContext, sealedBytes } from './slice-codec.ts'
import type { SliceWorkers } from './workers.ts'

export interface TransferOptions extends Omit<SliceContext, 'sliceIndex'> {
  pool: SliceWorkers
  /** The file's layout (planLayout's result, or the manifest's mode, k, m, sliceSize, shardSize). */
  layout: Pick<Layout, 'mode' | 'sliceSize' | 'dataShards' | 'parityShards' | 'shardSize'>
  /** Bytes of slices and shards this transfer may hold at once (at least one slice always moves). */
  bufferSize: number
  /** Index of the first slice the source holds (sealing only): a resumed upload reads on from there. */
  firstSlice?: number
  signal?: AbortSignal
}

/** Bytes one slice holds in flight: its plaintext and its shards. */
export function sliceCost(layout: TransferOptions['layout']): number {
  return layout.sliceSize + sealedBytes(layout, layout.sliceSize)
}

/** The coding fields of a layout, and nothing else (a manifest has many more). */
export function codingOf(layout: TransferOptions['layout']): SliceCoding {
  const { mode, dataShards, parityShards, shardSize } = layout
  return shardSize === undefined
    ? { mode, dataShards, parityShards }
    : { mode, dataShards, parityShards, shardSize }
}

/** `value` with a release() that gives `buffer` back to `buffers`, once. */
export function releasable<T extends object>(
  value: T,
  buffer: ArrayBufferLike,
  buffers: BufferPool
): T & { release(): void } {
  let released = false
  return {
    ...value,
    release: () => {
      if (!released && buffer instanceof ArrayBuffer) buffers.give(buffer)
      released = true
    }
  }
}

/**
 * `work` over the items of `source`, in order, with bufferSize bytes in flight counted by the
 * slice cost of the layout; results never handed out are released.
 */
export function inOrder<T, R extends { release(): void }>(
  source: AsyncIterable<T> | Iterable<T>,
  work: (item: T, index: number) => Promise<R>,
  options: TransferOptions
): AsyncGenerator<R> {
  const cost = sliceCost(options.layout)
  return ordered(source, work, {
    bufferSize: options.bufferSize,
    cost: () => cost,
    discard: (r) => r.release(),
    signal: options.signal
  })
}
