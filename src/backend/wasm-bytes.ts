/**
 * A few WebAssembly opcodes and a module builder, for the small SIMD kernels this project emits byte by byte (no
 * compiler at install time). A module imports one memory as `env.mem` and exports its functions by name.
 * Opcode numbering: WebAssembly core 1.0 plus the fixed-width SIMD proposal (final).
 */

// The WebAssembly global exists in Node but is not in this project's `lib`; the little used here:
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
};

export const WASM_PAGE = 65536;

export const op = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32LtU: 0x49, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
  f32Add: 0x92, f32Mul: 0x94,
  i32: 0x7f, f32: 0x7d, v128: 0x7b,
} as const;
const SIMD = 0xfd;
export const f32Load = [0x2a, 0x02, 0x00]; // align 2^2, offset 0
export const f32Store = [0x38, 0x02, 0x00];
export const v128Load = [SIMD, 0x00, 0x00, 0x00]; // align 1 (no alignment promise), offset 0
export const v128Store = [SIMD, 0x0b, 0x00, 0x00];
export const v128Zero = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
export const f32x4Splat = [SIMD, 0x13];
export const f32x4Lane = (lane: number) => [SIMD, 0x1f, lane];
export const f32x4Add = [SIMD, 0xe4, 0x01];
export const f32x4Mul = [SIMD, 0xe6, 0x01];
export const i32 = (n: number) => [op.i32Const, ...sleb(n)];

export interface WasmFunction {
  name: string;
  params: number[]; // value types
  /** Extra locals as [count, type] groups. */
  locals: Array<[number, number]>;
  body: number[]; // without the final `end`
}

/** A module importing `env.mem` (at least 1 page) and exporting `funcs` (no results). */
export function moduleBytes(funcs: WasmFunction[]): Uint8Array {
  const str = (s: string) => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];
  const types = funcs.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]);
  const codes = funcs.flatMap((f) => {
    const code = [...uleb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...uleb(n), t]), ...f.body, op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(funcs.length), ...types]),
    ...section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 0x01]), // import env.mem, min 1 page
    ...section(3, [...uleb(funcs.length), ...funcs.flatMap((_, i) => uleb(i))]),
    ...section(7, [...uleb(funcs.length), ...funcs.flatMap((f, i) => [...str(f.name), 0x00, ...uleb(i)])]),
    ...section(10, [...uleb(funcs.length), ...codes]),
  ]);
}

/** Instantiates a compiled module on `memory`, or on a fresh memory of at least `byteLength` bytes. */
export function instantiate(
  module: object,
  byteLength: number,
  memory: WasmMemory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(byteLength / WASM_PAGE)) }),
): { memory: WasmMemory; exports: Record<string, unknown> } {
  const inst = new WebAssembly.Instance(module, { env: { mem: memory } });
  return { memory, exports: inst.exports };
}

/** Compiles a module; throws where WebAssembly (or its SIMD) is unavailable. */
export function compile(bytes: Uint8Array): object {
  return new WebAssembly.Module(bytes);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
