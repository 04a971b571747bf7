/**
 * The GPT's building blocks as tensor functions with hand-written gradients (`tf.customGrad`). Why: tfjs's autodiff
 * of LayerNorm / GELU emits many small ops (each ~5 us of dispatch), and a fused linear layer's autodiff is longer
 * than its three products. Backward passes here are plain 2-D matmuls with transpose flags; each
 * backend serves those its own fastest way (BLAS takes the flags as they are; plain wasm turns them into explicit
 * SIMD transposes for XNNPACK, src/backend/wasm-kernels.ts). LayerNorm and GELU run as single native loops where
 * the backend has them (src/backend/native-kernels.ts), else as the tfjs compositions below (same maths).
 * Each function is checked against finite differences in test/model/gradcheck.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeGelu, nativeGeluGrad, nativeLayerNorm, nativeLayerNormGrad } from '../backend/native-kernels.js';

type T = tf.Tensor;
// tfjs-core does not export its CustomGradientFunc type; this is its parameter type.
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** y = x @ w + b.  x [N, I], w [I, O], b [O] -> [N, O]. */
export const linear = tf.customGrad(((x: T, w: T, b: T, save: tf.GradSaveFunc) => {
  save([x, w]);
  const value = tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b });
  return {
    value,
    gradFunc: (dy: T, saved: T[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [
        tf.matMul(dy2, ws, false, true), // [N, O] @ [O, I]
        tf.matMul(xs, dy2, true), // x^T @ dy: [I, O]
        colSum(dy2), // [O]
      ];
    },
  };
}) as CustomGradFn) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * Column sums.  x [N, O] -> [O]. On wasm this is the SIMD column-sum kernel of src/backend/wasm-heap-kernels.ts,
 * bit-identical to the ones-row matmul used before (tfjs-wasm's own Sum transposes first; the ones-row matmul
 * makes XNNPACK repack x on every call: ~5x slower).
 */
function colSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(x, 0);
}

/** y = x @ w.  x [N, I], w [I, O] -> [N, O]. */
export const matMul2d = tf.customGrad(((x: T, w: T, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: T, saved: T[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, ws, false, true), tf.matMul(xs, dy2, true)];
    },
  };
}) as CustomGradFn) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Token embedding as a one-hot matmul: onehot(tokens) @ wte.  tokens int32 [N], wte [V, C] -> [N, C].
 * Why not `gather`: its gradient (UnsortedSegmentSum) is missing on tfjs-wasm 4.22; with V = 32 the one-hot
 * matmul is a small XNNPACK call (and the backward is onehot^T @ dy, another). One-hot is built int32 then cast
 * because `tf.oneHot(.., 'float32')` returns garbage on wasm 4.22.
 */
export function embed(tokens: tf.Tensor1D, wte: tf.Tensor2D): tf.Tensor2D {
  const oh = tf.cast(tf.oneHot(tokens, wte.shape[0], 1, 0, 'int32'), 'float32') as tf.Tensor2D; // [N, V]
  return embedOneHot(oh, wte);
}

const embedOneHot = tf.customGrad(((oh: T, wte: T, save: tf.GradSaveFunc) => {
  save([oh]);
  return {
    value: tf.matMul(oh as tf.Tensor2D, wte as tf.Tensor2D), // [N, C]
    gradFunc: (dy: T, saved: T[]) => {
      const [ohs] = saved as [tf.Tensor2D];
      return [tf.zerosLike(ohs), tf.matMul(ohs, dy as tf.Tensor2D, true)]; // d(onehot) unused; dwte [V, C]
    },
  };
}) as CustomGradFn) as (oh: tf.Tensor2D, wte: tf.Tensor2D) => tf.Tensor2D;

const LN_EPS = 1e-5; // PyTorch's nn.LayerNorm default

/** LayerNorm over the last axis.  x [N, C], g [C], b [C] -> [N, C]. */
export const layerNorm = tf.customGrad(((x: T, g: T, b: T, save: tf.GradSaveFunc) => {
  const fused = nativeLayerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, LN_EPS); // one native loop, where available
  if (fused) {
    save(fused.saved);
    return { value: fused.y, gradFunc: (dy: T, saved: T[]) => nativeLayerNormGrad(dy, saved) };
  }
  const mean = tf.mean(x, 1, true); // [N, 1]
  const xc = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), 1, true), LN_EPS)); // [N, 1]
  const xhat = tf.mul(xc, rstd); // [N, C]
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: T, saved: T[]) => {
      const [xh, rs, gs] = saved as [T, T, T];
      const dxhat = tf.mul(dy, gs); // [N, C]
      const dx = tf.mul(
        rs,
        tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), 1, true))),
      );
      return [dx, colSum(tf.mul(dy, xh) as tf.Tensor2D), colSum(dy as tf.Tensor2D)];
    },
  };
}) as CustomGradFn) as (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/**
 * GELU, tanh approximation (GPT-2's): 0.5 x (1 + tanh(u)) with u = k (x + c x^3), computed as the identical
 * x * sigmoid(2u) because wasm's sigmoid is ~4x faster than its tanh (and x*x*x ~5x faster than pow).  Any shape.
 */
export const gelu = tf.customGrad(((x: T, save: tf.GradSaveFunc) => {
  const fused = nativeGelu(x); // one native loop each way, where available
  if (fused) {
    save(fused.saved);
    return { value: fused.y, gradFunc: (dy: T, saved: T[]) => [nativeGeluGrad(dy, saved)] };
  }
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(2 * GELU_K, tf.mul(2 * GELU_K * GELU_C, x2)))); // sigmoid(2u)
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: T, saved: T[]) => {
      const [xs, x2s, ss] = saved as [T, T, T];
      // d/dx [x s(2u)] = s + x s (1 - s) 2k (1 + 3c x^2)
      const du = tf.add(2 * GELU_K, tf.mul(6 * GELU_K * GELU_C, x2s));
      const d = tf.add(ss, tf.mul(tf.mul(xs, tf.mul(ss, tf.sub(1, ss))), du));
      return [tf.mul(dy, d)];
    },
  };
}) as CustomGradFn) as <R extends T>(x: R) => R;
