// A tiny WebAssembly binary assembler: just the sections, types and opcodes the GF(2^8) kernel
// uses, so building the kernel needs no tool beyond Node. Opcode numbers are from the core and
// SIMD specs (SIMD and relaxed-SIMD opcodes follow the 0xfd prefix as unsigned LEB128).

export const I32 = 0x7f
export const V128 = 0x7b
export type ValueType = typeof I32 | typeof V128

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

export function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)]
  return [...uleb(bytes.length), ...bytes]
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

/** Emits one function body; locals are numbered after the parameters in the order declared. */
export class FunctionBuilder {
  readonly params: ValueType[]
  readonly results: ValueType[]
  readonly exportName: string
  readonly code: number[] = []
  private readonly locals: ValueType[] = []

  constructor(exportName: string, params: ValueType[], results: ValueType[]) {
    this.exportName = exportName
    this.params = params
    this.results = results
  }

  local(type: ValueType): number {
    this.locals.push(type)
    return this.params.length + this.locals.length - 1
  }

  // Control
  block(): this {
    return this.op(0x02, 0x40)
  }
  loop(): this {
    return this.op(0x03, 0x40)
  }
  if(): this {
    return this.op(0x04, 0x40)
  }
  end(): this {
    return this.op(0x0b)
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth))
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth))
  }
  return(): this {
    return this.op(0x0f)
  }

  // Locals and scalars
  get(index: number): this {
    return this.op(0x20, ...uleb(index))
  }
  set(index: number): this {
    return this.op(0x21, ...uleb(index))
  }
  tee(index: number): this {
    return this.op(0x22, ...uleb(index))
  }
  i32(value: number): this {
    return this.op(0x41, ...sleb(value))
  }
  i32Load(offset = 0): this {
    return this.op(0x28, 2, ...uleb(offset))
  }
  i32Load8(offset = 0): this {
    return this.op(0x2d, 0, ...uleb(offset))
  }
  i32Store8(offset = 0): this {
    return this.op(0x3a, 0, ...uleb(offset))
  }
  eqz(): this {
    return this.op(0x45)
  }
  ne(): this {
    return this.op(0x47)
  }
  ltU(): this {
    return this.op(0x49)
  }
  leU(): this {
    return this.op(0x4d)
  }
  add(): this {
    return this.op(0x6a)
  }
  sub(): this {
    return this.op(0x6b)
  }
  and(): this {
    return this.op(0x71)
  }
  or(): this {
    return this.op(0x72)
  }
  xor(): this {
    return this.op(0x73)
  }
  shl(): this {
    return this.op(0x74)
  }
  shrU(): this {
    return this.op(0x76)
  }

  // SIMD (0xfd prefix)
  v128Load(offset = 0): this {
    return this.simd(0x00, 0, ...uleb(offset))
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 0, ...uleb(offset))
  }
  v128Const(bytes: number[]): this {
    if (bytes.length !== 16) throw new RangeError(`v128.const needs 16 bytes, got ${bytes.length}`)
    return this.simd(0x0c, ...bytes)
  }
  swizzle(): this {
    return this.simd(0x0e)
  }
  relaxedSwizzle(): this {
    return this.simd(0x100)
  }
  v128And(): this {
    return this.simd(0x4e)
  }
  v128Or(): this {
    return this.simd(0x50)
  }
  v128Xor(): this {
    return this.simd(0x51)
  }
  anyTrue(): this {
    return this.simd(0x53)
  }
  i16x8ShrU(): this {
    return this.simd(0x8d)
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates)
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b)
    return this
  }

  /** The function body as the code section holds it: size, grouped locals, code, end. */
  body(): number[] {
    const groups: number[][] = []
    for (let i = 0; i < this.locals.length; ) {
      let n = 1
      while (this.locals[i + n] === this.locals[i]) n++
      groups.push([...uleb(n), this.locals[i]!])
      i += n
    }
    const content = [...vec(groups), ...this.code, 0x0b]
    return [...uleb(content.length), ...content]
  }
}

/** A module that imports its memory as env.memory and exports every function by name. */
export function assembleModule(functions: FunctionBuilder[], minMemoryPages = 1): Uint8Array {
  const signature = (f: FunctionBuilder): string => `${f.params.join(',')}->${f.results.join(',')}`
  const types: string[] = []
  const typeOf = new Map<string, number[]>()
  for (const f of functions) {
    const key = signature(f)
    if (!typeOf.has(key)) {
      types.push(key)
      typeOf.set(key, [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))])
    }
  }
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content]
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types.map((t) => typeOf.get(t)!))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minMemoryPages)]])),
    ...section(3, vec(functions.map((f) => uleb(types.indexOf(signature(f)))))),
    ...section(7, vec(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map((f) => f.body())))
  ]
  return Uint8Array.from(bytes)
}
