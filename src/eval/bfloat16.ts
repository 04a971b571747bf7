/**
 * bfloat16 storage simulated in float32: keep the sign, the 8 exponent bits and the top 7 mantissa bits, rounding
 * the dropped 16 bits to nearest, ties to even (the rounding of torch's float32 -> bfloat16 cast). Used to ask how
 * many parameter updates survive bf16 checkpoints (Mukherjee et al., arXiv 2505.11711, section 5).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bit pattern of bf16(x) (low 16 bits zero); NaN stays a quiet NaN, +-Infinity stays itself. */
export function bfloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return ((bits & 0x80000000) | 0x7fc00000) >>> 0;
  const lsb = (bits >>> 16) & 1;
  return ((bits + 0x7fff + lsb) & 0xffff0000) >>> 0;
}

/** bf16(x) as a number (exactly representable in float32). */
export function roundToBfloat16(x: number): number {
  u32[0] = bfloat16Bits(x);
  return f32[0]!;
}

/** Elementwise bf16 rounding of an array, as float32. */
export function bfloat16Array(x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < x.length; i++) bits[i] = bfloat16Bits(x[i]!);
  return out;
}
