// Idle slice-sized ArrayBuffers kept for the next slice. A fresh 64 MiB buffer costs its page
// faults on first touch (measured here at a quarter of memcpy speed), and every slice of a file
// but the last has the same size, so reusing them keeps both the time and the RSS flat.
import { freeBuffer } from './free-memory.ts'

/** Sizes remembered as asked for; a few per transfer (full slice, last slice, shards). */
const WANTED_SIZES = 32

export class BufferPool {
  readonly maxBytes: number
  private readonly idle = new Map<number, ArrayBuffer[]>()
  /** Sizes someone asked for: only those are kept, so buffers nobody reuses do not crowd them out. */
  private readonly wanted = new Set<number>()
  private bytes = 0

  /** Keeps at most `maxBytes` of idle buffers; more given back are left to the garbage collector. */
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  /** An idle buffer of exactly `size` bytes (contents undefined), or a new zeroed one. */
  take(size: number): ArrayBuffer {
    return this.reuse(size) ?? new ArrayBuffer(size)
  }

  /** An idle buffer of exactly `size` bytes, if one is kept. */
  reuse(size: number): ArrayBuffer | undefined {
    if (!this.wanted.has(size)) {
      if (this.wanted.size >= WANTED_SIZES) this.forget(this.wanted.values().next().value!)
      this.wanted.add(size)
    }
    const list = this.idle.get(size)
    const buffer = list?.pop()
    if (buffer !== undefined) this.bytes -= size
    return buffer
  }

  /**
   * Gives a buffer back; the caller must hold no view of it any more. A buffer of a size nobody
   * asked for, or beyond maxBytes, is freed at once; a detached (0-byte) one is ignored.
   */
  give(buffer: ArrayBuffer | undefined): void {
    if (buffer === undefined || buffer.byteLength === 0) return
    const list = this.idle.get(buffer.byteLength) ?? []
    if (list.includes(buffer)) return
    if (!this.wanted.has(buffer.byteLength) || this.bytes + buffer.byteLength > this.maxBytes) {
      freeBuffer(buffer)
      return
    }
    this.idle.set(buffer.byteLength, list)
    list.push(buffer)
    this.bytes += buffer.byteLength
  }

  /** Bytes held idle. */
  get size(): number {
    return this.bytes
  }

  clear(): void {
    this.idle.clear()
    this.wanted.clear()
    this.bytes = 0
  }

  private forget(size: number): void {
    this.wanted.delete(size)
    for (const b of this.idle.get(size) ?? []) {
      this.bytes -= size
      freeBuffer(b)
    }
    this.idle.delete(size)
  }
}
