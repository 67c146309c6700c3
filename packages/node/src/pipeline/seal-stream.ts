// Upload direction: source -> slices -> sealed on the pool's threads -> in order to the consumer
// (which sends the shards). Reading runs ahead of the consumer by at most bufferSize bytes.
import { type SealedSlice, sealedBytes } from './slice-codec.ts'
import { cutSlices, type SliceSource } from './slice-reader.ts'
import { codingOf, inOrder, releasable, type TransferOptions } from './transfer.ts'

export interface SealedSliceHandle extends SealedSlice {
  /**
   * Hands the shard memory back to the pool for the next slice. Call it once no view of
   * `shards` is used any more (e.g. every shard is acknowledged); without it the memory is garbage-collected.
   */
  release(): void
}

/** Seals `source` slice by slice, in order; each slice is counted against bufferSize until the next is asked for. */
export function sealSlices(source: SliceSource, options: TransferOptions): AsyncGenerator<SealedSliceHandle> {
  const { pool, layout, fileKey, fileId, version, signal } = options
  const buffers = pool.buffers
  const coding = codingOf(layout)
  const first = options.firstSlice ?? 0
  const seal = async (plain: Uint8Array, index: number): Promise<SealedSliceHandle> => {
    const sliceIndex = first + index
    const out = buffers.reuse(sealedBytes(coding, plain.length))
    const sealed = await pool.seal(plain, { ...coding, fileKey, fileId, sliceIndex, version }, out)
    // A short last slice was copied rather than moved (see handOver): its buffer is free again.
    buffers.give(plain.buffer as ArrayBuffer)
    return releasable(sealed, sealed.shards[0]!.buffer, buffers)
  }
  const slices = cutSlices(source, layout.sliceSize, { buffers, signal })
  return inOrder(slices, seal, options)
}
