// Frees a buffer's memory now rather than at the next GC. Every Cipher.update returns a fresh
// buffer, a slice's worth per slice, and V8 collects such garbage only after about 64 MiB of it
// per thread: with two workers and the main thread that alone was 200 MiB of RSS. Detaching an
// ArrayBuffer (ES2024 `transfer(0)`) drops its backing store at once. Only for memory that no one
// else holds a view of.

/** Frees `buffer` (detached afterwards); a no-op for shared, 0-byte or already detached buffers. */
export function freeBuffer(buffer: ArrayBufferLike): void {
  const b = buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
  if (b instanceof ArrayBuffer && b.byteLength > 0) b.transfer?.(0)
}

/** Frees the buffer under `bytes` when the view covers all of it (a buffer of its own), else nothing. */
export function freeBytes(bytes: Uint8Array): void {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) freeBuffer(bytes.buffer)
}
