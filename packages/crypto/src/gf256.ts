// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), in constant time:
// no table lookups indexed by secret bytes, so share and secret bytes do not leak through the cache.

/** a * b in GF(2^8) mod 0x11B, by shift-and-add with masks instead of branches. */
export function gfMul(a: number, b: number): number {
  let product = 0
  for (let i = 0; i < 8; i++) {
    product ^= -(b & 1) & a
    a = ((a << 1) ^ (-((a >> 7) & 1) & 0x1b)) & 0xff
    b >>= 1
  }
  return product
}

/** The multiplicative inverse, a^254 (the inverse of 0 comes out as 0; callers never ask for it). */
export function gfInv(a: number): number {
  let result = 1
  let power = a
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = gfMul(result, power) // the exponent is public; branching on it leaks nothing
    power = gfMul(power, power)
  }
  return result
}

/** Value at `x` of the polynomial with `coefficients` (constant term first), by Horner's rule. */
export function gfEval(coefficients: Uint8Array, x: number): number {
  let y = 0
  for (let i = coefficients.length - 1; i >= 0; i--) y = gfMul(y, x) ^ coefficients[i]!
  return y
}

/** Lagrange basis values at x = 0 for the distinct nonzero points `xs`. */
export function lagrangeAtZero(xs: readonly number[]): number[] {
  return xs.map((xi, i) => {
    let numerator = 1
    let denominator = 1
    for (let m = 0; m < xs.length; m++) {
      if (m === i) continue
      numerator = gfMul(numerator, xs[m]!)
      denominator = gfMul(denominator, xs[m]! ^ xi)
    }
    return gfMul(numerator, gfInv(denominator))
  })
}
