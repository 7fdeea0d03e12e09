// A small WebAssembly binary emitter: enough of the module format (types, an imported memory, functions, exports,
// code) and of the instruction set (i32 control and arithmetic, f32/f64 scalars, the SIMD128 opcodes our kernels
// use) to write kernels as TypeScript that emits bytes at run time. No .wasm file and no toolchain: the bytes that
// run are the ones built here. Layout follows the WebAssembly core spec, section 5 (binary format).

/** A value type of a local, parameter or result. */
export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Appends n as unsigned LEB128. */
export function uleb(out: number[], n: number): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Appends n (a 32-bit integer) as signed LEB128. */
export function sleb(out: number[], n: number): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function utf8(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/** One-byte opcodes without immediates, by their text-format names. */
export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.ne': 0x47,
  'i32.lt_s': 0x48,
  'i32.lt_u': 0x49,
  'i32.gt_s': 0x4a,
  'i32.le_s': 0x4c,
  'i32.ge_s': 0x4e,
  'f32.eq': 0x5b,
  'f32.lt': 0x5d,
  'f32.gt': 0x5e,
  'f64.lt': 0x63,
  'f64.gt': 0x64,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.div_s': 0x6d,
  'i32.rem_s': 0x6f,
  'i32.and': 0x71,
  'i32.or': 0x72,
  'i32.shl': 0x74,
  'i32.shr_s': 0x75,
  'i32.shr_u': 0x76,
  'f32.abs': 0x8b,
  'f32.neg': 0x8c,
  'f32.sqrt': 0x91,
  'f32.add': 0x92,
  'f32.sub': 0x93,
  'f32.mul': 0x94,
  'f32.div': 0x95,
  'f32.min': 0x96,
  'f32.max': 0x97,
  'f64.abs': 0x99,
  'f64.neg': 0x9a,
  'f64.sqrt': 0x9f,
  'f64.add': 0xa0,
  'f64.sub': 0xa1,
  'f64.mul': 0xa2,
  'f64.div': 0xa3,
  'f64.min': 0xa4,
  'f64.max': 0xa5,
  'f32.convert_i32_s': 0xb2,
  'f32.demote_f64': 0xb6,
  'f64.convert_i32_s': 0xb7,
  'f64.promote_f32': 0xbb,
} as const;

/** SIMD128 opcodes (after the 0xfd prefix) without immediates. */
export const SIMD = {
  'f32x4.splat': 0x13,
  'f64x2.splat': 0x14,
  'f32x4.nearest': 0x6a,
  'i32x4.splat': 0x11,
  'i32x4.ne': 0x38,
  'i32x4.lt_s': 0x39,
  'f32x4.eq': 0x41,
  'f32x4.ne': 0x42,
  'f32x4.lt': 0x43,
  'f32x4.gt': 0x44,
  'f32x4.le': 0x45,
  'f32x4.ge': 0x46,
  'v128.and': 0x4e,
  'v128.andnot': 0x4f,
  'v128.or': 0x50,
  'v128.bitselect': 0x52,
  'f64x2.promote_low_f32x4': 0x5f,
  'i32x4.shl': 0xab,
  'i32x4.add': 0xae,
  'i32x4.trunc_sat_f32x4_s': 0xf8,
  'f32x4.abs': 0xe0,
  'f32x4.neg': 0xe1,
  'f32x4.sqrt': 0xe3,
  'f32x4.add': 0xe4,
  'f32x4.sub': 0xe5,
  'f32x4.mul': 0xe6,
  'f32x4.div': 0xe7,
  'f32x4.min': 0xe8,
  'f32x4.max': 0xe9,
  'f64x2.abs': 0xec,
  'f64x2.neg': 0xed,
  'f64x2.sqrt': 0xef,
  'f64x2.add': 0xf0,
  'f64x2.sub': 0xf1,
  'f64x2.mul': 0xf2,
  'f64x2.div': 0xf3,
  'f64x2.min': 0xf4,
  'f64x2.max': 0xf5,
} as const;

const LOAD = { 'i32.load': [0x28, 2], 'f32.load': [0x2a, 2], 'f64.load': [0x2b, 3] } as const;
const STORE = { 'i32.store': [0x36, 2], 'f32.store': [0x38, 2], 'f64.store': [0x39, 3] } as const;
const SIMD_MEM = {
  'v128.load': [0x00, 4],
  'v128.load32_splat': [0x09, 2],
  'v128.load64_splat': [0x0a, 3],
  'v128.store': [0x0b, 4],
} as const;

/**
 * The body of one function: locals by index (parameters first), instructions appended in order. Methods return
 * `this`, so a kernel reads like the text format: `f.get(x).get(y).op('f32.add')`.
 */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(name: keyof typeof OP): this {
    this.code.push(OP[name]);
    return this;
  }
  simd(name: keyof typeof SIMD): this {
    this.code.push(0xfd);
    uleb(this.code, SIMD[name]);
    return this;
  }
  get(i: number): this {
    this.code.push(0x20);
    uleb(this.code, i);
    return this;
  }
  set(i: number): this {
    this.code.push(0x21);
    uleb(this.code, i);
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22);
    uleb(this.code, i);
    return this;
  }
  i32(n: number): this {
    this.code.push(0x41);
    sleb(this.code, n);
    return this;
  }
  f32(x: number): this {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([x]).buffer));
    return this;
  }
  f64(x: number): this {
    this.code.push(0x44, ...new Uint8Array(new Float64Array([x]).buffer));
    return this;
  }
  /** A scalar load at the address on the stack plus a constant byte offset. */
  load(kind: keyof typeof LOAD, offset = 0): this {
    return this.memarg(LOAD[kind], offset);
  }
  store(kind: keyof typeof STORE, offset = 0): this {
    return this.memarg(STORE[kind], offset);
  }
  /** A SIMD load or store at the address on the stack plus a constant byte offset. */
  v128(kind: keyof typeof SIMD_MEM, offset = 0): this {
    this.code.push(0xfd);
    const [opcode, align] = SIMD_MEM[kind];
    uleb(this.code, opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }
  /** v128.const of four i32 lanes. */
  i32x4(lanes: readonly [number, number, number, number]): this {
    this.code.push(0xfd);
    uleb(this.code, 0x0c);
    this.code.push(...new Uint8Array(Int32Array.from(lanes).buffer));
    return this;
  }
  /** f32x4.extract_lane / f64x2.extract_lane. */
  extractLane(shape: 'f32x4' | 'f64x2', lane: number): this {
    this.code.push(0xfd, shape === 'f32x4' ? 0x1f : 0x21, lane);
    return this;
  }
  /** block ... end; `br 0` inside jumps past the end. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  /** loop ... end; `br 0` inside jumps back to the start. */
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  /** Pops an i32: runs `then` when it is non-zero, else `otherwise`. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.code.push(0x0c);
    uleb(this.code, depth);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d);
    uleb(this.code, depth);
    return this;
  }
  /** memory.fill(dest, value, byteCount) from the stack. */
  memoryFill(): this {
    this.code.push(0xfc, 0x0b, 0x00);
    return this;
  }

  /**
   * for (i = start; i < end; i += step) body(), with start/end (and a non-constant step) pushed by the callbacks;
   * end is re-evaluated each round, so it should be a local. The body may not branch out of the loop.
   */
  forRange(i: number, start: () => void, end: () => void, step: number | (() => void), body: () => void): this {
    start();
    this.set(i);
    return this.block(() => {
      this.get(i);
      end();
      this.op('i32.ge_s').brIf(0);
      this.loop(() => {
        body();
        this.get(i);
        if (typeof step === 'number') this.i32(step);
        else step();
        this.op('i32.add').tee(i);
        end();
        this.op('i32.lt_s').brIf(0);
      });
    });
  }

  private memarg([opcode, align]: readonly [number, number], offset: number): this {
    this.code.push(opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  /** The function's entry of the code section: local declarations then the body. */
  encodeBody(): number[] {
    const body: number[] = [];
    // consecutive locals of one type share a declaration
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(body, runs.length);
    for (const [count, t] of runs) {
      uleb(body, count);
      body.push(VALTYPE[t]);
    }
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    return out.concat(body);
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

/**
 * A module importing one memory as env.memory (so JavaScript owns and grows it) and exporting every function by
 * its name. Each function gets its own type entry; duplicates are harmless.
 */
export function encodeModule(funcs: readonly FuncBuilder[]): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    for (const p of f.params) types.push(VALTYPE[p]);
    uleb(types, f.results.length);
    for (const r of f.results) types.push(VALTYPE[r]);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  utf8(imports, 'env');
  utf8(imports, 'memory');
  imports.push(0x02, 0x00, 0x01); // memory, limits without a maximum, at least one page
  section(out, 2, imports);
  const fnsec: number[] = [];
  uleb(fnsec, funcs.length);
  funcs.forEach((_, i) => uleb(fnsec, i));
  section(out, 3, fnsec);
  const exports: number[] = [];
  uleb(exports, funcs.length);
  funcs.forEach((f, i) => {
    utf8(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) for (const b of f.encodeBody()) code.push(b);
  section(out, 10, code);
  return new Uint8Array(out);
}
