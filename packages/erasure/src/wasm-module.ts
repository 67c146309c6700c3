// Finds and compiles the best WASM kernel this runtime validates: relaxed SIMD, else plain SIMD.
import { RELAXED_SIMD_KERNEL, SIMD_KERNEL } from './kernel-wasm.ts'

export type WasmKernelKind = 'wasm-relaxed-simd' | 'wasm-simd'

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const bytesOf = new Map<WasmKernelKind, Uint8Array<ArrayBuffer>>()

/** The module bytes of a kernel (decoded once). */
export function kernelBytes(kind: WasmKernelKind): Uint8Array<ArrayBuffer> {
  let bytes = bytesOf.get(kind)
  if (bytes === undefined) {
    bytes = decodeBase64(kind === 'wasm-relaxed-simd' ? RELAXED_SIMD_KERNEL : SIMD_KERNEL)
    bytesOf.set(kind, bytes)
  }
  return bytes
}

/** The fastest kernel this runtime accepts, or undefined without WebAssembly SIMD. */
export function supportedKernel(relaxed = true): WasmKernelKind | undefined {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return undefined
  if (relaxed && WebAssembly.validate(kernelBytes('wasm-relaxed-simd'))) return 'wasm-relaxed-simd'
  if (WebAssembly.validate(kernelBytes('wasm-simd'))) return 'wasm-simd'
  return undefined
}

const compiled = new Map<WasmKernelKind, WebAssembly.Module>()

export async function compileKernel(kind: WasmKernelKind): Promise<WebAssembly.Module> {
  const cached = compiled.get(kind)
  if (cached !== undefined) return cached
  const module = await WebAssembly.compile(kernelBytes(kind))
  compiled.set(kind, module)
  return module
}

/** Synchronous compile: fine for a module this small (a few KiB) even on a browser main thread. */
export function compileKernelSync(kind: WasmKernelKind): WebAssembly.Module {
  let module = compiled.get(kind)
  if (module === undefined) {
    module = new WebAssembly.Module(kernelBytes(kind))
    compiled.set(kind, module)
  }
  return module
}
