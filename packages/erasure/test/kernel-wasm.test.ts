// The committed kernel (src/kernel-wasm.ts) must be exactly what the generator builds today, and
// both variants must be valid modules the loader can pick between.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKernel } from '../scripts/kernel-generator.ts'
import { kernelBytes, supportedKernel } from '../src/wasm-module.ts'

describe('WASM kernel artifact', () => {
  it('rebuilding the kernels gives the committed bytes (run `npm run build:wasm` if not)', () => {
    assert.deepEqual(kernelBytes('wasm-relaxed-simd'), generateKernel({ relaxed: true }))
    assert.deepEqual(kernelBytes('wasm-simd'), generateKernel({ relaxed: false }))
  })

  it('both variants validate and differ only in the swizzle opcode', () => {
    const relaxed = kernelBytes('wasm-relaxed-simd')
    const plain = kernelBytes('wasm-simd')
    assert.equal(WebAssembly.validate(plain), true)
    assert.ok(relaxed.length > plain.length, 'the relaxed opcode 0x100 takes one more LEB128 byte')
    assert.equal(supportedKernel(false), 'wasm-simd')
    assert.ok(['wasm-relaxed-simd', 'wasm-simd'].includes(supportedKernel() ?? ''))
  })
})
