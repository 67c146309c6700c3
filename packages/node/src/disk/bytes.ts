// Node's fs and LevelDB hand back Buffers; everything above the disk layer deals in plain
// Uint8Arrays (Buffer differs in equality, toString and slice semantics), so views are unwrapped here.
export function plainBytes(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype
    ? b
    : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
