// Byte helpers of the tests: the package's own, plus fromHex.
export { concatBytes as concat, toHex } from '../../src/bytes.ts'

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
}
